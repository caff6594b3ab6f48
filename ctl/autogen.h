/* SPDX-License-Identifier: MIT */
/* autogen.h: autogenerate (doc/autogenerate.md): differ, plan, proof. */
#ifndef MIGRATED_AUTOGEN_H
#define MIGRATED_AUTOGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <libpq-fe.h>
#include <jansson.h>

#include "catalog.h"
#include "merr.h"

/* The revisions a plan may need, in the order they run (§6). */
enum ag_phase {
	AG_PRE,			/* enum labels the rest of the plan uses */
	AG_MAIN,		/* transactional */
	AG_ONLINE,		/* transactional: false */
	AG_FINISH,		/* transactional: what cannot run twice */
	AG_NPHASES
};

/* What an action does to its objects, for ordering (§6). */
enum ag_op {
	AG_RENAME,
	AG_DROP,
	AG_ALTER,
	AG_CREATE,
};

struct ag_idx {
	size_t *v;
	size_t n;
};

/* One statement of the upgrade and its inverse (§5). */
struct ag_action {
	enum ag_op op;
	enum ag_phase phase;
	int rank;		/* kind rank, for the tie-break */
	size_t seq;		/* creation order, last tie-break */
	char *what;		/* "table public.t", for the summary */
	char *table;		/* existing table it locks or rewrites */
	char *up;		/* statements, ";\n" between, no final ';' */
	char *down;		/* its inverse, or NULL: nothing to undo */
	char *plain_up;		/* the transactional form when demoted */
	char *plain_down;
	char *down_note;	/* "-- LOSSY: ..." over the inverse, or NULL */
	const char *lock;	/* strongest lock it takes, or NULL */
	bool rewrite;		/* claims a table rewrite */
	bool loses_data;	/* the upgrade loses data */
	bool irreversible;	/* the inverse cannot restore the schema */
	struct ag_idx aobjs;	/* objects of A it covers (drops, alters) */
	struct ag_idx bobjs;	/* objects of B it covers (creates, alters) */
	struct ag_idx bneeds;	/* B objects made by actions that run first */
	struct ag_idx after;	/* actions that must run before this one */
};

struct ag_rename {
	char *kind;		/* as given */
	char *old_id;		/* identity in A */
	char *new_name;		/* bare name, quoted */
};

struct ag_opts {
	bool allow_drop;
	bool grants;
	struct ag_rename *renames;
	size_t nrenames;
};

/* Messages for the person: problems stop the plan, notes do not. */
struct ag_msgs {
	char **v;
	size_t n;
};

struct ag_plan {
	const struct catalog *a, *b;
	const struct ag_opts *opts;
	struct ag_action *acts;
	size_t n, cap;
	size_t *order;		/* acts in run order, after ag_plan_order() */
	size_t norder;
	bool *a_gone;		/* A objects dropped (removed or recreated) */
	bool *b_made;		/* B objects created by an action */
	bool *a_retyped;	/* A columns whose type changes */
	bool *a_replaced;	/* A types recreated under their columns */
	struct ag_msgs problems;
	struct ag_msgs notes;
};

void ag_msgs_add(struct ag_msgs *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ag_msgs_clear(struct ag_msgs *m);

/* autogen-diff.c */
/* Compare a (A after renames) and b; fill plan. */
void ag_diff(struct ag_plan *plan, const struct catalog *a,
    const struct catalog *b, const struct ag_opts *opts);
void ag_plan_free(struct ag_plan *plan);
/* A new action; the strings are copied. */
struct ag_action *ag_act(struct ag_plan *p, enum ag_op op, int rank,
    const char *what, const char *up, const char *down);
void ag_cover_a(struct ag_action *x, size_t i);
void ag_cover_b(struct ag_action *x, size_t i);
void ag_after(struct ag_plan *p, struct ag_action *x, struct ag_action *y);
size_t ag_act_index(const struct ag_plan *p, const struct ag_action *x);
/* Create object bi of B as one action, its DROP as inverse. */
struct ag_action *ag_create_obj(struct ag_plan *p, size_t bi,
    unsigned flags);
/* Drop object ai of A as one action; the inverse creates it again. */
struct ag_action *ag_drop_obj(struct ag_plan *p, size_t ai, unsigned flags);
/* Mark A object i as dropped (starts the closure of §5). */
void ag_gone(struct ag_plan *p, size_t i);
/* The name part of an identity below its parent ("s.t.c" -> "c"). */
const char *ag_name(const struct cat_obj *o);
bool ag_kind_is(const struct cat_obj *o, const char *kind);
/* NULL-safe string equality; of attribute key of a and b. */
bool ag_str_eq(const char *a, const char *b);
bool ag_attr_eq(const struct cat_obj *a, const struct cat_obj *b,
    const char *key);
/* An ALTER action on object ai of A / bi of B (both covered). */
struct ag_action *ag_alter(struct ag_plan *p, size_t ai, size_t bi,
    const char *up, const char *down);
/* The last (unqualified) name of a qualified identity, borrowed. */
const char *ag_base(const char *id);
/* A SQL string literal of s; caller frees. */
char *ag_literal(const char *s);
/* COMMENT ON statements when the comments of a and b differ. */
void ag_comment(struct ag_plan *p, const struct cat_obj *a, size_t ai,
    const struct cat_obj *b, size_t bi);
/* The object keyword for COMMENT ON / DROP ("TABLE", "FUNCTION", ...). */
const char *ag_sqlkind(const struct cat_obj *o);
/* The kinds' ranks (§6). */
int ag_rank(const char *kind);

/* autogen-ddl.c: text of one object; flags: */
#define AG_DDL_ONLINE 1u	/* CONCURRENTLY, NOT VALID */

/*
 * The lock_timeout header of a transactional: false revision (lint's
 * non-transactional-no-lock-timeout; doc/autogenerate.md §6: why 5s).
 */
#define AG_NT_LOCK_TIMEOUT "5s"
#define AG_DDL_CHILDREN 2u	/* with everything a drop of it takes along */
/* CREATE statement(s) of object i of c, ";\n" between; caller frees. */
char *ag_ddl_create(const struct catalog *c, size_t i, unsigned flags);
/* DROP statement of object i of c; caller frees. */
char *ag_ddl_drop(const struct catalog *c, size_t i, unsigned flags);
/* "name type [COLLATE] [GENERATED] [DEFAULT] [NOT NULL]"; caller frees. */
char *ag_ddl_coldef(const struct catalog *c, size_t i);
/* CREATE INDEX of index o under another (bare) name; caller frees. */
char *ag_ddl_index_as(const struct cat_obj *o, const char *name,
    bool concurrently);
/*
 * UNIQUE or PRIMARY KEY constraint o as an index and its attachment:
 * *idx = CREATE UNIQUE INDEX [CONCURRENTLY] name ON t USING btree (...),
 * *con = ALTER TABLE t ADD CONSTRAINT name ... USING INDEX name; caller
 * frees both. false (nothing set) when its definition has no such form.
 */
bool ag_ddl_unique_using(const struct cat_obj *o, bool concurrently,
    char **idx, char **con);
/* COMMENT ON o IS text (NULL: IS NULL), or NULL for no such kind. */
char *ag_ddl_comment(const struct cat_obj *o, const char *text);
/* ALTER TABLE ... ENABLE/DISABLE TRIGGER as o says. */
char *ag_trigger_enable(const struct cat_obj *o);
/* The labels of an enum (JSON array) as a list of SQL literals. */
char *ag_enum_labels(const char *json);

/* autogen-diff-rel.c: tables, columns, defaults, constraints, indexes. */
void ag_diff_table(struct ag_plan *p, size_t ai, size_t bi);
void ag_diff_column(struct ag_plan *p, size_t ai, size_t bi);
void ag_diff_default(struct ag_plan *p, size_t ai, size_t bi);
void ag_diff_constraint(struct ag_plan *p, size_t ai, size_t bi);
void ag_diff_index(struct ag_plan *p, size_t ai, size_t bi);
void ag_diff_view(struct ag_plan *p, size_t ai, size_t bi);
/* Create / drop of one object of those kinds (closure recreates). */
void ag_create_rel(struct ag_plan *p, size_t bi);
void ag_drop_rel(struct ag_plan *p, size_t ai);

/* autogen-diff-type.c: schemas, extensions, types, sequences. */
void ag_diff_type(struct ag_plan *p, size_t ai, size_t bi);
void ag_create_type(struct ag_plan *p, size_t bi);
void ag_drop_type(struct ag_plan *p, size_t ai);

/* autogen-diff-code.c: functions, triggers, policies. */
void ag_diff_code(struct ag_plan *p, size_t ai, size_t bi);
void ag_create_code(struct ag_plan *p, size_t bi);
void ag_drop_code(struct ag_plan *p, size_t ai);

/* autogen-grant.c: --grants: GRANT/REVOKE for objects on both sides. */
void ag_grants(struct ag_plan *p);

/* autogen-plan.c */
/* Order the actions (§6); 0, or -1 with a problem added (a cycle). */
int ag_plan_order(struct ag_plan *p);
/* Phases actually used, in run order; returns their number. */
size_t ag_plan_phases(const struct ag_plan *p, enum ag_phase out[]);
/* Whether the revision of phase ph has a downgrade section. */
bool ag_plan_reversible(const struct ag_plan *p, enum ag_phase ph);
/* The text an action runs in its phase (its plain form when demoted). */
const char *ag_act_text(const struct ag_action *x, bool down);
/* Upgrade (down = false) or downgrade section text of phase ph. */
char *ag_plan_section(const struct ag_plan *p, enum ag_phase ph, bool down);
/* The statements of a section, in run order, for the proof. */
size_t ag_plan_stmts(const struct ag_plan *p, enum ag_phase ph, bool down,
    size_t *out);

/* autogen-db.c: blocking libpq for the client. */
struct ag_db;
/* Connect to the dev server (url, or libpq defaults when NULL). */
int ag_db_open(struct ag_db **out, const char *url, struct merr *err)
    MIG_MUSTCHECK;
void ag_db_close(struct ag_db *db);
/* Create a scratch database, tag 'a' or 'b'; its name in *name. */
int ag_scratch_create(struct ag_db *db, char tag, char **name,
    struct merr *err) MIG_MUSTCHECK;
/* Drop every scratch database this process made. */
void ag_scratch_drop_all(struct ag_db *db);
/* Drop leftovers of dead runs older than max_age_s; returns their count. */
int ag_scratch_sweep(struct ag_db *db, long max_age_s);
/* A connection to database name on the dev server. */
int ag_db_connect(struct ag_db *db, const char *name, PGconn **out,
    struct merr *err) MIG_MUSTCHECK;
/* The dev server's URL with dbname replaced, for migrated -d. */
char *ag_db_url(const struct ag_db *db, const char *name);
/* Run one statement; -EIO with err (SQLSTATE, message) on failure. */
int ag_exec(PGconn *c, const char *sql, struct merr *err) MIG_MUSTCHECK;
/* Whether catalogs read from now on compare privileges (--grants). */
void ag_catalog_acls(bool on);
/*
 * A catalog read in flight: ag_read_start() sends it (one round trip) and
 * returns at once, ag_read_finish() collects it. Between the two, c is
 * busy; a read never finished ends with PQfinish(c).
 */
struct ag_reading {
	PGconn *c;
	bool own;		/* its own transaction (c was idle) */
	bool sent;
};
int ag_read_start(PGconn *c, const char *const *exclude,
    struct ag_reading *rd, struct merr *err) MIG_MUSTCHECK;
int ag_read_finish(struct ag_reading *rd, struct catalog **out,
    struct merr *err) MIG_MUSTCHECK;
/* The catalogs of n (1 or 2) databases at once, one snapshot each. */
int ag_read_catalogs(PGconn *const *cs, size_t n,
    const char *const *exclude, struct catalog **outs, struct merr *err)
    MIG_MUSTCHECK;
/* Read the catalog of c in one snapshot, excluding the state tables. */
int ag_read_catalog(PGconn *c, const char *const *exclude,
    struct catalog **out, struct merr *err) MIG_MUSTCHECK;
/*
 * Run the *.sql of path (a file, or a directory read in name order) on c,
 * one round trip per file; errors as FILE:LINE in err.
 */
int ag_apply_schema(PGconn *c, const char *path, struct merr *err)
    MIG_MUSTCHECK;
/* Run the statements of text (from file) on c one by one. */
int ag_apply_sql(PGconn *c, const char *file, char *text, size_t len,
    struct merr *err) MIG_MUSTCHECK;
/* A running migrated --once. */
struct ag_child {
	pid_t pid;
	int fd;			/* its stdout and stderr */
	char *bin;
};
/* Start migrated --once -d url -m dir (no waiting). */
int ag_migrated_start(const char *url, const char *dir, struct ag_child *ch,
    struct merr *err) MIG_MUSTCHECK;
/* Wait for it: 0, or -EIO with its output in err. */
int ag_migrated_wait(struct ag_child *ch, struct merr *err) MIG_MUSTCHECK;
/* Signals: install handlers; true once one arrived. */
void ag_signals_install(void);
bool ag_interrupted(void);
/* The signal that interrupted us, or 0. */
int ag_signal_number(void);
/* The connection a signal should cancel (NULL: none). */
void ag_signals_conn(PGconn *c);

/* One revision file the plan makes (one per phase used). */
struct ag_rev {
	char id[13];
	char *name;		/* file name */
	char *text;
	enum ag_phase phase;
};

/* autogen-out.c: the summary (§ README), human or JSON. */
void ag_out_summary(FILE *f, const struct ag_plan *p,
    const struct ag_rev *revs, size_t nrevs, bool color);
json_t *ag_out_json(const struct ag_plan *p, const struct ag_rev *revs,
    size_t nrevs);

/* autogen.c: MIGRATECTL_TIMING=1: the time since the last tick, named. */
void ag_tick(const char *what);

/* autogen-prove.c */
struct ag_proof {
	bool ok;
	bool down;			/* the downgrade ran, too */
	struct ag_msgs residual;	/* what still differs, and where */
};
/*
 * Apply the plan to scratch database c (holding catalog a0, before the
 * renames) and check it reaches b, then that the downgrade returns to a0
 * (skipped when a revision of the plan is irreversible: proof->down false).
 */
int ag_prove(struct ag_plan *p, PGconn *c, const struct catalog *a0,
    const char *const *exclude, struct ag_proof *proof) MIG_MUSTCHECK;

#endif
