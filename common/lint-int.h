/* SPDX-License-Identifier: MIT */
/* lint-int.h: state shared by the lint engine, model and rule families. */
#ifndef MIGRATED_LINT_INT_H
#define MIGRATED_LINT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "arena.h"
#include "lint.h"

/* Rule ids: indices into lint_rules[] (lint-rules.c). */
enum lint_rule_id {
	LR_INDEX_NOT_CONCURRENT,
	LR_INDEX_PARTITIONED,
	LR_DROP_INDEX_NOT_CONCURRENT,
	LR_CONCURRENTLY_IN_TXN,
	LR_NEEDS_NO_TXN,
	LR_REINDEX_NOT_CONCURRENT,
	LR_CIC_PG14_BUG,
	LR_ADD_COLUMN_VOLATILE,
	LR_ADD_COLUMN_STORED,
	LR_ADD_COLUMN_NOT_NULL,
	LR_SET_NOT_NULL,
	LR_CHECK_NOT_VALID,
	LR_FK_NOT_VALID,
	LR_VALIDATE_SAME_TXN,
	LR_UNIQUE_USING_INDEX,
	LR_EXCLUSION,
	LR_TYPE_REWRITE,
	LR_TYPE_VIEW,
	LR_TABLE_REWRITE,
	LR_RENAME_COLUMN,
	LR_RENAME_TABLE,
	LR_DROP_COLUMN,
	LR_DROP_TABLE,
	LR_DROP_SCHEMA,
	LR_DROP_DATABASE,
	LR_ENUM_RENAME,
	LR_ENUM_REMOVE,
	LR_ENUM_ADD_IN_TXN,
	LR_REFRESH_MATVIEW,
	LR_DETACH_NOT_CONCURRENT,
	LR_ATTACH_NO_CHECK,
	LR_VACUUM_FULL,
	LR_CLUSTER,
	LR_TRUNCATE_CASCADE,
	LR_LOCK_TABLE,
	LR_BACKFILL,
	LR_LOCK_TIMEOUT_ZERO,
	LR_NT_NO_LOCK_TIMEOUT,
	LR_NT_NOT_IDEMPOTENT,
	LR_IDENT_TOO_LONG,
	LR_UNPARSED,
	LR_SPLIT,
	LR_ALLOW_UNKNOWN,
	LR_ALLOW_UNUSED,
	LR__MAX
};

/* Where a table stands when a statement touches it. */
enum lt_state {
	LT_NEW,		/* created in this transaction, or earlier in the
			   plan and not in the database: empty, unseen */
	LT_SMALL,	/* in the catalog, small */
	LT_LARGE,	/* in the catalog, large */
	LT_UNKNOWN,	/* exists (or may), size unknown: offline */
};

/* Tables below both are "small": their lock is short whatever we do. */
#define LINT_SMALL_ROWS 10000.0
#define LINT_SMALL_BYTES (16 * 1024 * 1024)

/* ---- the model (lint-model.c) ---- */

struct lm_col {
	char *name;
	char *type;		/* last name of the type: "varchar", "int4" */
	int32_t mods[2];	/* typmods as written; nmods of them */
	int nmods;
	bool array;
	bool notnull;
};

/* A constant of a CHECK or of a partition bound, as written. */
struct lm_val {
	char *s;		/* its text (NULL, minvalue, maxvalue) */
	char kind;		/* 'i' integer, 'f' decimal, 's' string,
				   '0' NULL, 'm' MINVALUE, 'M' MAXVALUE */
};

/* A conjunct of a CHECK that bounds a column by constants. */
struct lm_atom {
	char *col;
	char op;		/* 'n' IS NOT NULL, '<', 'l' <=, '>',
				   'g' >=, '=', 'i' IN (v...) */
	bool textcast;		/* written col::text */
	struct lm_val *v;
	size_t nv;
};

struct lm_con {
	char *name;		/* "" when unnamed */
	char kind;		/* 'c' check, 'f' foreign key, 'u', 'p', 'x' */
	char *nn_col;		/* CHECK (col IS NOT NULL): col, else NULL */
	char **cols;		/* columns it references (checks) */
	size_t ncols;
	struct lm_atom *atoms;	/* checks: the conjuncts lint understands */
	size_t natoms;
	bool validated;
	unsigned txn;		/* transaction that added or validated it */
};

/* A view's reads: a table and a column (NULL: every column, as "*"). */
struct lm_dep {
	char *view;
	char *col;
};

struct lm_rel {
	char *schema;		/* "" when unqualified */
	char *name;
	char kind;		/* 'r', 'p' partitioned, 'v', 'm' matview */
	bool created;		/* the plan created it */
	unsigned txn;		/* transaction that created it (0: before) */
	bool in_plan_only;	/* created by a pending section, not in the
				   catalog: empty when the plan runs */
	bool catalog;		/* sizes below come from the database */
	double reltuples;	/* -1: never analyzed */
	int64_t bytes;
	struct lm_col *cols;
	size_t ncols;
	struct lm_con *cons;
	size_t ncons;
	struct lm_dep *deps;	/* views reading it */
	size_t ndeps;
	char **partkey;		/* partition key columns */
	size_t npartkey;
	bool partkey_expr;	/* the key has an expression (not in partkey) */
	struct lm_rel *next;	/* same name, other schema */
};

struct lm_index {
	char *name;
	char *table;		/* "schema.name" or "name" */
	unsigned txn;
	struct lm_index *next;
};

struct lm_enum {
	char *name;
	unsigned created;	/* transaction that created it, 0: before */
	char **labels;		/* added by the plan */
	unsigned *txn;
	size_t nlabels;
	struct lm_enum *next;
};

struct lmap;			/* string -> pointer, open addressing */

struct lint_model {
	struct lmap *rels;
	struct lmap *indexes;
	struct lmap *enums;
	struct lmap *schemas;	/* created by the plan: name -> txn */
};

void lint_model_init(struct lint_model *m);
void lint_model_clear(struct lint_model *m);
/* The relation schema.name (schema NULL or "": any), or NULL. */
struct lm_rel *lm_rel_find(struct lint_model *m, const char *schema,
    const char *name);
/* Find or add; a new one is empty, kind 'r'. */
struct lm_rel *lm_rel_get(struct lint_model *m, const char *schema,
    const char *name);
void lm_rel_forget(struct lint_model *m, struct lm_rel *r);
void lm_rel_rename(struct lint_model *m, struct lm_rel *r, const char *name);
struct lm_col *lm_col_find(struct lm_rel *r, const char *name);
struct lm_col *lm_col_add(struct lm_rel *r, const char *name);
void lm_col_forget(struct lm_rel *r, const char *name);
struct lm_con *lm_con_find(struct lm_rel *r, const char *name);
struct lm_con *lm_con_add(struct lm_rel *r, const char *name, char kind);
void lm_dep_add(struct lm_rel *r, const char *view, const char *col);
/* Forget the reads of view (dropped) on every table. */
void lm_deps_forget(struct lint_model *m, const char *view);
struct lm_index *lm_index_find(struct lint_model *m, const char *name);
void lm_index_add(struct lint_model *m, const char *name,
    const char *table, unsigned txn);
void lm_index_forget(struct lint_model *m, const char *name);
struct lm_enum *lm_enum_get(struct lint_model *m, const char *name);
struct lm_enum *lm_enum_find(struct lint_model *m, const char *name);
void lm_schema_add(struct lint_model *m, const char *name, unsigned txn);
/* The transaction that created schema name, 0 if not the plan. */
unsigned lm_schema_txn(struct lint_model *m, const char *name);

/* ---- the engine (lint.c) ---- */

/* The statement being linted. */
struct lint_cur {
	const struct migfile *mf;
	const char *sql;	/* NUL-terminated statement text */
	size_t len;
	int line, col;		/* of its first character */
	size_t index;		/* in its section */
};

/* An UPDATE or DELETE kept until the section's end (backfill rule). */
struct lint_backfill {
	struct lint_cur cur;
	int loc;
	char *table;
	enum lt_state state;
	char *size;		/* size text for the message, or NULL */
	bool kind_update;	/* UPDATE, else DELETE */
};

struct lint {
	struct lint_opts o;
	int version;		/* server_version_num, 0: unknown */
	struct lint_findings out;
	struct lint_model model;
	unsigned txn;		/* current transaction number (from 1) */

	/* The section being linted. */
	const struct migfile *mf;
	const struct split_list *stmts;
	bool up, pending;
	size_t first_finding;	/* of this section in out */
	bool *allow_used;	/* per mf->allow[] */
	bool ddl;		/* the section changes the schema */
	struct lint_backfill *backfill;	/* UPDATE/DELETE candidates */
	size_t nbackfill;
	char **dropped_ifx;	/* DROP INDEX ... IF EXISTS names */
	size_t ndropped_ifx;
	char **locks;		/* ACCESS EXCLUSIVE on existing tables */
	size_t nlocks;
	char **newlabels;	/* enum labels added in transaction txn */
	size_t nnewlabels;
	unsigned newlabels_txn;
	struct lint_cur cur;
	PgQuery__ParseResult *tree;	/* of cur, while rules run */
	struct arena scratch;	/* trees not kept in o.trees */
};

/* Report a finding at byte offset loc of the current statement (-1: its
 * start) at severity sev. */
void lint_report(struct lint *l, enum lint_rule_id rule, enum lint_sev sev,
    int loc, const char *fmt, ...) MIG_PRINTF(5, 6);
/* Report a rule whose harm grows with the table: nothing when the table is
 * new, a note when small, the rule's severity otherwise. */
void lint_report_table(struct lint *l, enum lint_rule_id rule, int loc,
    const char *schema, const char *name, const char *fmt, ...)
    MIG_PRINTF(6, 7);
/* Where the table stands (see enum lt_state); *r: its model entry or NULL. */
enum lt_state lint_table_state(struct lint *l, const char *schema,
    const char *name, struct lm_rel **r);
/* The model entry of rv, merged with the catalog facts if any. */
struct lm_rel *lint_rel(struct lint *l, const char *schema, const char *name);
/* True when the current section runs in a transaction block. */
bool lint_in_txn(const struct lint *l);
/* Note an ACCESS EXCLUSIVE lock on an existing table. */
void lint_lock_ae(struct lint *l, const char *schema, const char *name);
/* "schema.name" or "name" for messages. Caller frees. */
char *lint_qname(const char *schema, const char *name);

/* ---- libpg_query glue (lint-pg.c) ---- */

/*
 * Parse sql (one statement). Returns the tree, allocated in a (freed with
 * it), or NULL with *msg (caller frees) and *pos (byte offset, -1
 * unknown).
 */
/* Trees taken from libpg_query without packing them (tests). */
extern unsigned long lint_pg_ncopied;
PgQuery__ParseResult *lint_pg_parse(struct arena *a, const char *sql,
    char **msg, int *pos);
/*
 * The tree of sql kept in t (parsed by an earlier pass over the plan), or
 * parsed now: into t while it is under its budget, else into scratch. t
 * may be NULL. Errors as lint_pg_parse().
 */
PgQuery__ParseResult *lint_trees_parse(struct lint_trees *t,
    struct arena *scratch, const char *sql, char **msg, int *pos);
/* Call fn on every node under n (n included); stop when it returns true. */
typedef bool lint_walk_fn(const PgQuery__Node *n, void *arg);
bool lint_pg_walk(const PgQuery__Node *n, lint_walk_fn *fn, void *arg);
/* The last String of a name list ("pg_catalog.int4" -> "int4"), or "". */
const char *lint_pg_last(PgQuery__Node *const *v, size_t n);
/* The next-to-last String of a name list (a schema), or NULL. */
const char *lint_pg_schema(PgQuery__Node *const *v, size_t n);
/* The sval of a String node, or NULL. */
const char *lint_pg_str(const PgQuery__Node *n);
/* Integer value of an A_Const / Integer node into *v: true if one. */
bool lint_pg_int(const PgQuery__Node *n, int64_t *v);
/* True if the DefElem list has an option named name (true unless set
 * to false/0/off). */
bool lint_pg_opt(PgQuery__Node *const *v, size_t n, const char *name);
/* Offsets (in sql) of identifiers longer than 63 bytes: calls fn for each. */
void lint_pg_long_idents(const char *sql, size_t len,
    void (*fn)(void *arg, int loc, size_t bytes), void *arg);
/* Map byte offset loc of cur's text to line and column. */
void lint_pg_locate(const struct lint_cur *c, int loc, int *line, int *col);

/* ---- rule families: one handler per statement node (lint.c's table) ---- */

typedef void lint_handler_fn(struct lint *l, const PgQuery__Node *n, int loc);
lint_handler_fn lint_index_create, lint_index_drop, lint_index_reindex;
lint_handler_fn lint_alter_table;
lint_handler_fn lint_misc_drop, lint_misc_rename, lint_misc_enum;
lint_handler_fn lint_misc_refresh, lint_misc_vacuum, lint_misc_cluster;
lint_handler_fn lint_misc_truncate, lint_misc_lock, lint_misc_dml;
lint_handler_fn lint_misc_set, lint_misc_no_txn;
/* Every statement of a transactional: false revision. */
lint_handler_fn lint_nt_idempotent;
/* Header rules of the section's revision (lock_timeout, transactional). */
void lint_misc_header(struct lint *l);
/* At the section's end: the backfill candidates, now that DDL is known. */
void lint_misc_backfill_end(struct lint *l);
/* lint-apply.c helpers for the rules. */
void lint_type_of(const PgQuery__TypeName *t, struct lm_col *c);
/* "varchar(20)", "numeric(10,2)", "int4[]"; caller frees. */
char *lint_type_str(const struct lm_col *c);
const PgQuery__Constraint *lint_coldef_con(const PgQuery__ColumnDef *cd,
    PgQuery__ConstrType t);
/* The column of CHECK (col IS NOT NULL), else NULL. */
const char *lint_nn_check_col(const PgQuery__Node *e);
/* schema and name of an object of a DROP statement (NULLs if none). */
void lint_drop_name(const PgQuery__Node *o, const char **schema,
    const char **name);
/* Split "schema.name" of the model's index table into its parts. */
void lint_split_qname(const char *q, char **schema, char **name);
/* Labels ADDed to enums in the current transaction: report their use. */
void lint_misc_enum_use(struct lint *l, const PgQuery__Node *n);

/* Record the effects of the current statement in the model. */
void lint_model_apply(struct lint *l, const PgQuery__Node *n);
/* True if the statement changes the schema (DDL). */
bool lint_is_ddl(const PgQuery__Node *n);
/* The volatility of the functions an expression calls: 'i', 's', 'v', or
 * 'u' (a function we cannot tell offline); *fn: the worst one. */
char lint_volatility(struct lint *l, const PgQuery__Node *expr,
    const char **fn);

/* ---- partition bounds (lint-bound.c) ---- */

/* Record in c the conjuncts of CHECK expression e that bound a column. */
void lint_bound_atoms(struct lm_con *c, const PgQuery__Node *e);
/* The same from the catalog's text of a CHECK ("CHECK ((a > 0))"). */
void lint_bound_atoms_def(struct lm_con *c, const char *def);
void lint_bound_atoms_free(struct lm_con *c);
/*
 * NULL when part's validated CHECKs and NOT NULL columns imply bound b of
 * parent (ATTACH skips its scan), else why not, to free.
 */
char *lint_bound_unproved(struct lint *l, struct lm_rel *parent,
    struct lm_rel *part, const PgQuery__PartitionBoundSpec *b);

/* ---- facts (lint-facts.c) ---- */

/* Fill r (if not NULL) from the catalog's facts for schema.name; false if
 * the catalog has no such relation. */
bool lint_facts_rel(const struct lint_facts *f, const char *schema,
    const char *name, struct lm_rel *r);
/* Most volatile provolatile of function name: 'i', 's', 'v', or 0. */
char lint_facts_volatility(const struct lint_facts *f, const char *name);
/*
 * For a type change of schema.rel.col to type tname (an array of it when
 * array): 1 if the catalog says the current type is binary-coercible to
 * it (pg_cast), 0 if not, -1 unknown (not in the facts).
 */
int lint_facts_binary(const struct lint_facts *f, const char *schema,
    const char *rel, const char *col, const char *tname, bool array);
/* The table of index schema.name per the catalog; *tschema, *tname to free. */
bool lint_facts_index(const struct lint_facts *f, const char *schema,
    const char *name, char **tschema, char **tname);
const char *lint_facts_timezone(const struct lint_facts *f);

/* Built-in function volatility (lint-volatile.h, from pg_proc): 'i', 's',
 * 'v', or 0 for a name that is not built in. */
char lint_builtin_volatility(const char *name);

#endif
