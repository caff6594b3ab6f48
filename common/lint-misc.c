/* SPDX-License-Identifier: MIT */
/* lint-misc.c: rule family: drops, renames, enums, maintenance, data. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint-int.h"
#include "migfile.h"

/* ---- drops and renames ---- */

static void
lint_misc_drop_table(struct lint *l, const PgQuery__DropStmt *s,
    const char *schema, const char *name, int loc)
{
	char *t;

	if (lint_table_state(l, schema, name, NULL) == LT_NEW)
		return;
	t = lint_qname(schema, name);
	lint_report(l, LR_DROP_TABLE, LINT_ERROR, loc, "DROP TABLE %s loses "
	    "its data%s", t, s->behavior ==
	    PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE ? " (CASCADE: and drops "
	    "what depends on it)" : "");
	lint_lock_ae(l, schema, name);
	free(t);
}

void
lint_misc_drop(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__DropStmt *s = n->drop_stmt;
	const char *schema, *name;
	struct lm_enum *e;
	size_t i;

	for (i = 0; i < s->n_objects; i++) {
		lint_drop_name(s->objects[i], &schema, &name);
		if (name == NULL)
			continue;
		switch (s->remove_type) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
			lint_misc_drop_table(l, s, schema, name, loc);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
			if (lm_schema_txn(&l->model, name) != l->txn)
				lint_report(l, LR_DROP_SCHEMA, LINT_ERROR, loc,
				    "DROP SCHEMA %s%s", name, s->behavior ==
				    PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE ?
				    " CASCADE drops every object in it" :
				    " drops the schema");
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_TYPE:
			if ((e = lm_enum_find(&l->model, name)) != NULL &&
			    e->created != l->txn)
				lint_report(l, LR_ENUM_REMOVE, LINT_ERROR, loc,
				    "DROP TYPE %s removes an enum and, with "
				    "CASCADE, the columns of that type", name);
			break;
		default:
			break;
		}
	}
}

void
lint_misc_rename(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__RenameStmt *s = n->rename_stmt;
	const PgQuery__RangeVar *rv = s->relation;
	char *t;

	if (rv == NULL || lint_table_state(l, rv->schemaname, rv->relname,
	    NULL) == LT_NEW)
		return;
	t = lint_qname(rv->schemaname, rv->relname);
	switch (s->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
		lint_report(l, LR_RENAME_COLUMN, LINT_WARNING, loc, "RENAME "
		    "COLUMN %s.%s to %s breaks the code that still uses %s", t,
		    s->subname, s->newname, s->subname);
		lint_lock_ae(l, rv->schemaname, rv->relname);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
		lint_report(l, LR_RENAME_TABLE, LINT_WARNING, loc, "RENAME %s "
		    "to %s breaks the code that still uses %s", t, s->newname,
		    rv->relname);
		lint_lock_ae(l, rv->schemaname, rv->relname);
		break;
	default:
		break;
	}
	free(t);
}

/* ---- enums ---- */

void
lint_misc_enum(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__AlterEnumStmt *s = n->alter_enum_stmt;
	const char *type = lint_pg_last(s->type_name, s->n_type_name);

	if (s->old_val != NULL && *s->old_val != '\0') {
		lint_report(l, LR_ENUM_RENAME, LINT_WARNING, loc, "RENAME VALUE "
		    "'%s' of %s to '%s': the running code still sends '%s'",
		    s->old_val, type, s->new_val, s->old_val);
		return;
	}
	if (!lint_in_txn(l))
		return;
	if (l->version > 0 && l->version < 120000) {
		lint_report(l, LR_NEEDS_NO_TXN, LINT_ERROR, loc, "ALTER TYPE %s "
		    "ADD VALUE cannot run inside a transaction block before "
		    "PostgreSQL 12", type);
		return;
	}
	if (l->newlabels_txn != l->txn) {
		while (l->nnewlabels > 0)
			free(l->newlabels[--l->nnewlabels]);
		l->newlabels_txn = l->txn;
	}
	if (l->nnewlabels >= 256)
		return;
	l->newlabels = xreallocarray(l->newlabels, l->nnewlabels + 1,
	    sizeof *l->newlabels);
	l->newlabels[l->nnewlabels++] = xstrdup(s->new_val);
}

struct lint_label_use {
	struct lint *l;
	const char *label;
	int loc;
};

static bool
lint_misc_label_walk(const PgQuery__Node *n, void *arg)
{
	struct lint_label_use *u = arg;
	const PgQuery__AConst *c;
	size_t i;

	if (n->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return false;
	c = n->a_const;
	if (c->isnull || c->val_case != PG_QUERY__A__CONST__VAL_SVAL)
		return false;
	for (i = 0; i < u->l->nnewlabels; i++)
		if (strcmp(c->sval->sval, u->l->newlabels[i]) == 0) {
			u->label = u->l->newlabels[i];
			u->loc = c->location;
			return true;
		}
	return false;
}

void
lint_misc_enum_use(struct lint *l, const PgQuery__Node *n)
{
	struct lint_label_use u = { l, NULL, -1 };

	if (n->node_case == PG_QUERY__NODE__NODE_ALTER_ENUM_STMT)
		return;
	if (lint_pg_walk(n, lint_misc_label_walk, &u))
		lint_report(l, LR_ENUM_ADD_IN_TXN, LINT_ERROR, u.loc, "enum "
		    "value '%s' is used in the transaction that added it: "
		    "PostgreSQL refuses it until that commits", u.label);
}

/* ---- maintenance ---- */

void
lint_misc_refresh(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__RefreshMatViewStmt *s = n->refresh_mat_view_stmt;
	const PgQuery__RangeVar *rv = s->relation;

	if (s->concurrent || s->skip_data || rv == NULL)
		return;
	lint_report_table(l, LR_REFRESH_MATVIEW, loc, rv->schemaname,
	    rv->relname, "REFRESH MATERIALIZED VIEW %s without CONCURRENTLY "
	    "blocks its readers until the query ends", rv->relname);
	lint_lock_ae(l, rv->schemaname, rv->relname);
}

/* The relations of a VACUUM (VacuumRelation nodes) or TRUNCATE/LOCK. */
static const PgQuery__RangeVar *
lint_misc_rv(const PgQuery__Node *n)
{
	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
		return n->range_var;
	if (n->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION)
		return n->vacuum_relation->relation;
	return NULL;
}

void
lint_misc_vacuum(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__VacuumStmt *s = n->vacuum_stmt;
	const PgQuery__RangeVar *rv;
	size_t i;

	if (!s->is_vacuumcmd)
		return;		/* ANALYZE runs anywhere */
	if (lint_in_txn(l))
		lint_report(l, LR_NEEDS_NO_TXN, LINT_ERROR, loc, "VACUUM cannot "
		    "run inside a transaction block");
	if (!lint_pg_opt(s->options, s->n_options, "full"))
		return;
	if (s->n_rels == 0)
		lint_report(l, LR_VACUUM_FULL, LINT_ERROR, loc, "VACUUM FULL "
		    "rewrites every table of the database, each under ACCESS "
		    "EXCLUSIVE");
	for (i = 0; i < s->n_rels; i++) {
		if ((rv = lint_misc_rv(s->rels[i])) == NULL)
			continue;
		lint_report_table(l, LR_VACUUM_FULL, loc, rv->schemaname,
		    rv->relname, "VACUUM FULL rewrites %s under ACCESS "
		    "EXCLUSIVE", rv->relname);
		lint_lock_ae(l, rv->schemaname, rv->relname);
	}
}

void
lint_misc_cluster(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__RangeVar *rv = n->cluster_stmt->relation;

	if (rv == NULL) {
		if (lint_in_txn(l))
			lint_report(l, LR_NEEDS_NO_TXN, LINT_ERROR, loc,
			    "CLUSTER of every table cannot run inside a "
			    "transaction block");
		lint_report(l, LR_CLUSTER, LINT_ERROR, loc, "CLUSTER rewrites "
		    "every clustered table under ACCESS EXCLUSIVE");
		return;
	}
	lint_report_table(l, LR_CLUSTER, loc, rv->schemaname, rv->relname,
	    "CLUSTER rewrites %s under ACCESS EXCLUSIVE", rv->relname);
	lint_lock_ae(l, rv->schemaname, rv->relname);
}

void
lint_misc_truncate(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__TruncateStmt *s = n->truncate_stmt;
	const PgQuery__RangeVar *rv;
	size_t i;

	if (s->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
		lint_report(l, LR_TRUNCATE_CASCADE, LINT_ERROR, loc, "TRUNCATE "
		    "... CASCADE also empties every table that references "
		    "these, recursively");
	for (i = 0; i < s->n_relations; i++)
		if ((rv = lint_misc_rv(s->relations[i])) != NULL)
			lint_lock_ae(l, rv->schemaname, rv->relname);
}

void
lint_misc_lock(struct lint *l, const PgQuery__Node *n, int loc)
{
	static const char *const modes[] = { "", "ACCESS SHARE", "ROW SHARE",
	    "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE",
	    "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE" };
	const PgQuery__LockStmt *s = n->lock_stmt;
	const PgQuery__RangeVar *rv;
	int mode = s->mode;
	size_t i;

	if (mode < 1 || mode > 8)
		mode = 8;
	if (mode < 6)
		return;		/* SHARE and below let writers or readers on */
	for (i = 0; i < s->n_relations; i++) {
		if ((rv = lint_misc_rv(s->relations[i])) == NULL ||
		    lint_table_state(l, rv->schemaname, rv->relname, NULL) ==
		    LT_NEW)
			continue;
		lint_report(l, LR_LOCK_TABLE, LINT_WARNING, loc, "LOCK TABLE %s "
		    "IN %s MODE blocks %s until the revision commits",
		    rv->relname, modes[mode], mode == 8 ? "every query on it" :
		    "its writers");
		if (mode == 8)
			lint_lock_ae(l, rv->schemaname, rv->relname);
	}
}

void
lint_misc_no_txn(struct lint *l, const PgQuery__Node *n, int loc)
{
	const char *what = "this statement";

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATEDB_STMT:
		what = "CREATE DATABASE";
		break;
	case PG_QUERY__NODE__NODE_DROPDB_STMT:
		what = "DROP DATABASE";
		lint_report(l, LR_DROP_DATABASE, LINT_ERROR, loc, "DROP "
		    "DATABASE %s", n->dropdb_stmt->dbname);
		break;
	case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
		what = "ALTER SYSTEM";
		break;
	default:
		what = "a tablespace command";
		break;
	}
	if (lint_in_txn(l))
		lint_report(l, LR_NEEDS_NO_TXN, LINT_ERROR, loc, "%s cannot run "
		    "inside a transaction block", what);
}

/* ---- data changes and settings ---- */

static bool
lint_misc_is_pg_enum(const PgQuery__RangeVar *rv)
{
	return strcmp(rv->relname, "pg_enum") == 0 &&
	    (*rv->schemaname == '\0' ||
	    strcmp(rv->schemaname, "pg_catalog") == 0);
}

void
lint_misc_dml(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__RangeVar *rv;
	struct lint_backfill *b;
	struct lm_rel *r;
	enum lt_state st;

	rv = n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT ?
	    n->update_stmt->relation : n->delete_stmt->relation;
	if (rv == NULL)
		return;
	if (lint_misc_is_pg_enum(rv)) {
		lint_report(l, LR_ENUM_REMOVE, LINT_ERROR, loc, "writing "
		    "pg_enum by hand: rows holding a removed value can no "
		    "longer be read");
		return;
	}
	if ((st = lint_table_state(l, rv->schemaname, rv->relname, &r)) ==
	    LT_NEW || l->nbackfill >= 1000)
		return;
	l->backfill = xreallocarray(l->backfill, l->nbackfill + 1,
	    sizeof *l->backfill);
	b = &l->backfill[l->nbackfill++];
	b->cur = l->cur;
	b->loc = loc;
	b->table = lint_qname(rv->schemaname, rv->relname);
	b->state = st;
	b->size = NULL;
	if (r != NULL && r->catalog && st != LT_UNKNOWN)
		b->size = xasprintf("~%.0f rows", r->reltuples);
	b->kind_update = n->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT;
}

void
lint_misc_backfill_end(struct lint *l)
{
	struct lint_cur save = l->cur;
	struct lint_backfill *b;
	enum lint_sev sev;
	long long rows;
	size_t i;

	for (i = 0; l->ddl && i < l->nbackfill; i++) {
		b = &l->backfill[i];
		sev = b->state == LT_SMALL ? LINT_NOTE : b->state == LT_LARGE ?
		    LINT_ERROR : LINT_WARNING;
		if (l->pending && l->o.estimate != NULL &&
		    (rows = l->o.estimate(l->o.estimate_arg, b->cur.sql)) >= 0) {
			/* the planner knows better than the table's size */
			sev = rows >= LINT_SMALL_ROWS ? LINT_ERROR : LINT_NOTE;
			free(b->size);
			b->size = xasprintf("EXPLAIN: ~%lld rows", rows);
		}
		l->cur = b->cur;
		lint_report(l, LR_BACKFILL, sev, b->loc, "%s of every matching "
		    "row of %s%s%s%s runs inside this schema-changing "
		    "revision's transaction", b->kind_update ? "UPDATE" :
		    "DELETE", b->table, b->size != NULL ? " (" : "",
		    b->size != NULL ? b->size : "", b->size != NULL ? ")" : "");
	}
	l->cur = save;
}

/* 0 for "0", "0ms", "0s", ... */
static bool
lint_misc_zero(const char *v)
{
	if (v == NULL || *v != '0')
		return false;
	while (*v == '0')
		v++;
	while (*v == ' ')
		v++;
	return *v == '\0' || strcmp(v, "ms") == 0 || strcmp(v, "s") == 0 ||
	    strcmp(v, "min") == 0 || strcmp(v, "us") == 0 ||
	    strcmp(v, "h") == 0 || strcmp(v, "d") == 0;
}

void
lint_misc_set(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__VariableSetStmt *s = n->variable_set_stmt;
	const PgQuery__Node *a;
	int64_t v;

	if (s->kind != PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE ||
	    strcasecmp(s->name, "lock_timeout") != 0 || s->n_args != 1)
		return;
	a = s->args[0];
	if ((lint_pg_int(a, &v) && v == 0) ||
	    (a->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	    a->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL &&
	    lint_misc_zero(a->a_const->sval->sval)))
		lint_report(l, LR_LOCK_TIMEOUT_ZERO, LINT_ERROR, loc, "SET "
		    "lock_timeout = 0 lets the next statements wait for their "
		    "locks forever");
}

void
lint_misc_header(struct lint *l)
{
	const struct migfile *mf = l->mf;

	l->cur.col = 1;
	if (mf->lock_timeout != NULL && lint_misc_zero(mf->lock_timeout)) {
		l->cur.line = mf->lock_timeout_line;
		lint_report(l, LR_LOCK_TIMEOUT_ZERO, LINT_ERROR, -1,
		    "lock_timeout: %s lets this revision wait for its locks "
		    "forever", mf->lock_timeout);
	}
	if (!mf->transactional && mf->lock_timeout == NULL) {
		l->cur.line = mf->transactional_line;
		lint_report(l, LR_NT_NO_LOCK_TIMEOUT, LINT_WARNING, -1,
		    "transactional: false without a lock_timeout header: its "
		    "statements may wait for their locks forever");
	}
}
