/* SPDX-License-Identifier: MIT */
/* lint-alter.c: rule family: ALTER TABLE on columns and constraints. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"

/* What an ALTER TABLE subcommand is about, for messages. */
struct lint_at {
	const PgQuery__RangeVar *rv;
	const PgQuery__AlterTableCmd *c;
	char *t;		/* qualified table name */
	int loc;		/* the statement */
};

/* ---- ADD COLUMN ---- */

static bool
lint_alter_serial(const char *type)
{
	static const char *const serials[] = { "serial", "bigserial",
	    "smallserial", "serial2", "serial4", "serial8" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(serials); i++)
		if (strcmp(type, serials[i]) == 0)
			return true;
	return false;
}

/* Is the default a plain NULL? Then nothing is stored. */
static bool
lint_alter_null_default(const PgQuery__Node *e)
{
	return e != NULL && e->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	    e->a_const->isnull;
}

static void
lint_alter_default(struct lint *l, struct lint_at *a,
    const PgQuery__ColumnDef *cd, const PgQuery__Constraint *def)
{
	const char *fn = NULL;
	char v;

	if (def == NULL || lint_alter_null_default(def->raw_expr))
		return;
	if (l->version > 0 && l->version < 110000) {
		lint_report_table(l, LR_ADD_COLUMN_VOLATILE, def->location,
		    a->rv->schemaname, a->rv->relname, "ADD COLUMN %s with a "
		    "DEFAULT rewrites %s before PostgreSQL 11", cd->colname,
		    a->t);
		return;
	}
	v = lint_volatility(l, def->raw_expr, &fn);
	if (v == 'v')
		lint_report_table(l, LR_ADD_COLUMN_VOLATILE, def->location,
		    a->rv->schemaname, a->rv->relname, "ADD COLUMN %s DEFAULT "
		    "calls volatile %s(): %s is rewritten", cd->colname, fn,
		    a->t);
	else if (v == 'u' && lint_table_state(l, a->rv->schemaname,
	    a->rv->relname, NULL) != LT_NEW)
		lint_report(l, LR_ADD_COLUMN_VOLATILE, LINT_WARNING,
		    def->location, "ADD COLUMN %s DEFAULT calls %s(), not a "
		    "built-in: if it is volatile %s is rewritten (lint --db "
		    "reads pg_proc)", cd->colname, fn, a->t);
}

/* Column constraints that scan or build on the existing rows. */
static void
lint_alter_colcons(struct lint *l, struct lint_at *a,
    const PgQuery__ColumnDef *cd)
{
	const PgQuery__Constraint *k;
	const char *s = a->rv->schemaname, *n = a->rv->relname;
	size_t i;

	for (i = 0; i < cd->n_constraints; i++) {
		if (cd->constraints[i]->node_case !=
		    PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		k = cd->constraints[i]->constraint;
		switch (k->contype) {
		case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
			lint_report_table(l, LR_CHECK_NOT_VALID, k->location,
			    s, n, "ADD COLUMN %s with a CHECK checks every row "
			    "of %s under ACCESS EXCLUSIVE", cd->colname, a->t);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
			lint_report_table(l, LR_FK_NOT_VALID, k->location, s,
			    n, "ADD COLUMN %s REFERENCES %s validates every row "
			    "of %s", cd->colname, k->pktable != NULL ?
			    k->pktable->relname : "?", a->t);
			break;
		case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
			lint_report_table(l, LR_UNIQUE_USING_INDEX, k->location,
			    s, n, "ADD COLUMN %s %s builds its index on %s "
			    "under ACCESS EXCLUSIVE", cd->colname, k->contype ==
			    PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ? "UNIQUE" :
			    "PRIMARY KEY", a->t);
			break;
		default:
			break;
		}
	}
}

static void
lint_alter_add_column(struct lint *l, struct lint_at *a)
{
	const PgQuery__ColumnDef *cd;
	const PgQuery__Constraint *def, *gen, *ident;
	const char *s = a->rv->schemaname, *n = a->rv->relname, *type;
	int at;
	bool notnull;

	if (a->c->def == NULL ||
	    a->c->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
		return;
	cd = a->c->def->column_def;
	at = cd->location;
	def = lint_coldef_con(cd, PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT);
	gen = lint_coldef_con(cd, PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED);
	ident = lint_coldef_con(cd, PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY);
	type = cd->type_name != NULL ? lint_pg_last(cd->type_name->names,
	    cd->type_name->n_names) : "";
	notnull = cd->is_not_null || lint_coldef_con(cd,
	    PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL) != NULL ||
	    lint_coldef_con(cd, PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) != NULL;
	if (gen != NULL)
		lint_report_table(l, LR_ADD_COLUMN_STORED, gen->location, s, n,
		    "ADD COLUMN %s GENERATED ... STORED computes every row of "
		    "%s: the table is rewritten", cd->colname, a->t);
	else if (ident != NULL)
		lint_report_table(l, LR_ADD_COLUMN_VOLATILE, ident->location,
		    s, n, "ADD COLUMN %s GENERATED AS IDENTITY numbers every "
		    "row of %s: the table is rewritten", cd->colname, a->t);
	else if (lint_alter_serial(type))
		lint_report_table(l, LR_ADD_COLUMN_VOLATILE, at, s, n,
		    "ADD COLUMN %s %s fills every row of %s from a sequence "
		    "(nextval is volatile): the table is rewritten",
		    cd->colname, type, a->t);
	else if (def != NULL)
		lint_alter_default(l, a, cd, def);
	else if (notnull)
		lint_report_table(l, LR_ADD_COLUMN_NOT_NULL, at, s, n,
		    "ADD COLUMN %s NOT NULL without a DEFAULT fails if %s has "
		    "any row", cd->colname, a->t);
	lint_alter_colcons(l, a, cd);
}

/* ---- ALTER COLUMN TYPE ---- */

static bool
lint_alter_is(const char *type, const char *const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(type, set[i]) == 0)
			return true;
	return false;
}

/* Same type, other typmods: does PostgreSQL rewrite? (ATColumnChange-
 * RequiresRewrite: length coercions that only widen are no-ops.) */
static int
lint_alter_same_type(const struct lm_col *o, const struct lm_col *n)
{
	static const char *const widen[] = { "varchar", "varbit" };
	static const char *const prec[] = { "timestamp", "timestamptz",
	    "time", "timetz", "interval" };
	int32_t op, np, os, ns;

	if (n->nmods == 0 && (lint_alter_is(n->type, widen, 2) ||
	    lint_alter_is(n->type, prec, 5) || strcmp(n->type, "numeric") == 0))
		return 0;
	if (lint_alter_is(n->type, widen, 2))
		return o->nmods > 0 && n->mods[0] >= o->mods[0] ? 0 : 1;
	if (lint_alter_is(n->type, prec, 5)) {
		op = o->nmods > 0 ? o->mods[0] : 6;
		return n->mods[0] >= op ? 0 : 1;
	}
	if (strcmp(n->type, "numeric") == 0) {
		if (o->nmods == 0)
			return 1;
		op = o->mods[0], np = n->mods[0];
		os = o->nmods > 1 ? o->mods[1] : 0;
		ns = n->nmods > 1 ? n->mods[1] : 0;
		return ns == os && np >= op ? 0 : 1;
	}
	if (o->nmods == n->nmods && (o->nmods == 0 ||
	    (o->mods[0] == n->mods[0] && (o->nmods < 2 ||
	    o->mods[1] == n->mods[1]))))
		return 0;
	return 1;
}

/* 1 rewrites, 0 does not, -1 cannot tell (old type or time zone). */
static int
lint_alter_rewrites(struct lint *l, const struct lm_col *o,
    const struct lm_col *n, int facts_binary)
{
	const char *tz;

	if (o == NULL || *o->type == '\0')
		return -1;
	if (o->array != n->array)
		return 1;
	if (strcmp(o->type, n->type) == 0)
		return lint_alter_same_type(o, n);
	if ((strcmp(n->type, "varchar") == 0 || strcmp(n->type, "varbit") ==
	    0 || strcmp(n->type, "numeric") == 0) && n->nmods > 0)
		return 1;	/* a length check runs on every row */
	if (strcmp(o->type, "timestamp") == 0 &&
	    strcmp(n->type, "timestamptz") == 0) {
		if (l->version > 0 && l->version < 120000)
			return 1;
		if (l->pending && l->o.facts != NULL &&
		    (tz = lint_facts_timezone(l->o.facts)) != NULL)
			return strcmp(tz, "UTC") == 0 ||
			    strcmp(tz, "Etc/UTC") == 0 ? 0 : 1;
		return -1;
	}
	if (facts_binary >= 0)
		return facts_binary ? 0 : 1;
	if ((strcmp(o->type, "varchar") == 0 && strcmp(n->type, "text") ==
	    0) || (strcmp(o->type, "text") == 0 &&
	    strcmp(n->type, "varchar") == 0) ||
	    (strcmp(o->type, "cidr") == 0 && strcmp(n->type, "inet") == 0))
		return 0;
	return 1;
}

/* USING that is not just the column (or a cast of it) forces a rewrite. */
static bool
lint_alter_using_plain(const PgQuery__Node *u, const char *col)
{
	if (u == NULL)
		return true;
	if (u->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
		u = u->type_cast->arg;
	return u != NULL && u->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
	    u->column_ref->n_fields == 1 &&
	    lint_pg_str(u->column_ref->fields[0]) != NULL &&
	    strcmp(lint_pg_str(u->column_ref->fields[0]), col) == 0;
}

static void
lint_alter_type_views(struct lint *l, struct lint_at *a, struct lm_rel *r,
    const char *col)
{
	size_t i;

	for (i = 0; r != NULL && i < r->ndeps; i++)
		if (r->deps[i].col == NULL || strcmp(r->deps[i].col, col) == 0) {
			lint_report(l, LR_TYPE_VIEW, LINT_ERROR, a->loc,
			    "ALTER COLUMN %s TYPE: view %s reads %s.%s, so "
			    "PostgreSQL refuses the change", col,
			    r->deps[i].view, a->t, col);
			return;
		}
}

static void
lint_alter_type(struct lint *l, struct lint_at *a)
{
	const PgQuery__ColumnDef *cd;
	struct lm_rel *r;
	struct lm_col nc = { 0 }, *oc = NULL;
	char *nt, *ot;
	int rw, fb = -1;

	if (a->c->def == NULL ||
	    a->c->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF)
		return;
	cd = a->c->def->column_def;
	if (lint_table_state(l, a->rv->schemaname, a->rv->relname, &r) ==
	    LT_NEW)
		return;
	lint_alter_type_views(l, a, r, a->c->name);
	lint_type_of(cd->type_name, &nc);
	if (r != NULL)
		oc = lm_col_find(r, a->c->name);
	if (l->pending && l->o.facts != NULL)
		fb = lint_facts_binary(l->o.facts, a->rv->schemaname,
		    a->rv->relname, a->c->name, nc.type, nc.array);
	rw = lint_alter_rewrites(l, oc, &nc, fb);
	if (!lint_alter_using_plain(cd->raw_default, a->c->name))
		rw = 1;
	nt = lint_type_str(&nc);
	ot = oc != NULL && *oc->type != '\0' ? lint_type_str(oc) : NULL;
	if (rw == 1)
		lint_report_table(l, LR_TYPE_REWRITE, a->loc, a->rv->schemaname,
		    a->rv->relname, "ALTER COLUMN %s TYPE %s%s%s%s rewrites %s "
		    "and its indexes", a->c->name, nt, ot != NULL ? " (from " :
		    "", ot != NULL ? ot : "", ot != NULL ? ")" : "", a->t);
	else if (rw < 0)
		lint_report(l, LR_TYPE_REWRITE, LINT_WARNING, a->loc,
		    "ALTER COLUMN %s TYPE %s may rewrite %s: %s (lint --db "
		    "reads the catalog)", a->c->name, nt, a->t, ot == NULL ?
		    "its current type is unknown here" : "it depends on the "
		    "server's TimeZone");
	free(nt);
	free(ot);
	free(nc.type);
}

/* ---- SET NOT NULL, constraints ---- */

static bool
lint_alter_has_nn_check(struct lint *l, struct lm_rel *r, const char *col)
{
	size_t i;

	for (i = 0; r != NULL && i < r->ncons; i++)
		if (r->cons[i].kind == 'c' && r->cons[i].validated &&
		    r->cons[i].nn_col != NULL &&
		    strcmp(r->cons[i].nn_col, col) == 0)
			return true;
	return false;
}

static void
lint_alter_set_not_null(struct lint *l, struct lint_at *a)
{
	struct lm_rel *r;
	struct lm_col *c;
	bool old = l->version > 0 && l->version < 120000;

	if (lint_table_state(l, a->rv->schemaname, a->rv->relname, &r) ==
	    LT_NEW)
		return;
	if (r != NULL && (c = lm_col_find(r, a->c->name)) != NULL &&
	    c->notnull)
		return;		/* already NOT NULL: nothing to scan */
	if (!old && lint_alter_has_nn_check(l, r, a->c->name))
		return;
	lint_report_table(l, LR_SET_NOT_NULL, a->loc, a->rv->schemaname,
	    a->rv->relname, "SET NOT NULL on %s.%s scans the table under "
	    "ACCESS EXCLUSIVE%s", a->t, a->c->name, old ? " (before 12 even "
	    "a validated CHECK does not spare the scan)" : ": no validated "
	    "CHECK (... IS NOT NULL) exists for it");
}

static void
lint_alter_constraint(struct lint *l, struct lint_at *a)
{
	const PgQuery__Constraint *k;
	const char *s = a->rv->schemaname, *n = a->rv->relname;

	if (a->c->def == NULL ||
	    a->c->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
		return;
	k = a->c->def->constraint;
	switch (k->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		if (!k->skip_validation)
			lint_report_table(l, LR_CHECK_NOT_VALID, k->location, s,
			    n, "ADD CONSTRAINT %s CHECK without NOT VALID scans "
			    "%s under ACCESS EXCLUSIVE", *k->conname != '\0' ?
			    k->conname : "(unnamed)", a->t);
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
		if (!k->skip_validation)
			lint_report_table(l, LR_FK_NOT_VALID, k->location, s, n,
			    "ADD CONSTRAINT %s FOREIGN KEY without NOT VALID "
			    "checks every row of %s while locking %s and %s",
			    *k->conname != '\0' ? k->conname : "(unnamed)",
			    a->t, a->t, k->pktable != NULL ?
			    k->pktable->relname : "?");
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		if (*k->indexname == '\0')
			lint_report_table(l, LR_UNIQUE_USING_INDEX, k->location,
			    s, n, "ADD %s without USING INDEX builds the index "
			    "on %s under ACCESS EXCLUSIVE", k->contype ==
			    PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE ? "UNIQUE" :
			    "PRIMARY KEY", a->t);
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
		lint_report_table(l, LR_EXCLUSION, k->location, s, n,
		    "ADD EXCLUDE builds its index on %s under ACCESS "
		    "EXCLUSIVE", a->t);
		break;
	default:
		break;
	}
}

static void
lint_alter_validate(struct lint *l, struct lint_at *a)
{
	struct lm_rel *r;
	struct lm_con *k;

	r = lint_rel(l, a->rv->schemaname, a->rv->relname);
	if (r == NULL || (k = lm_con_find(r, a->c->name)) == NULL)
		return;
	if (!k->validated && k->txn == l->txn && lint_in_txn(l))
		lint_report(l, LR_VALIDATE_SAME_TXN, LINT_ERROR, a->loc,
		    "VALIDATE CONSTRAINT %s in the transaction that added it "
		    "NOT VALID: the ADD's lock on %s is held through the scan",
		    a->c->name, a->t);
}

/* ---- partitions ---- */

static void
lint_alter_partition(struct lint *l, struct lint_at *a, bool attach)
{
	const PgQuery__PartitionCmd *pc;
	struct lm_rel *part = NULL;
	char *why;

	if (a->c->def == NULL ||
	    a->c->def->node_case != PG_QUERY__NODE__NODE_PARTITION_CMD)
		return;
	pc = a->c->def->partition_cmd;
	if (!attach) {
		if (pc->concurrent && lint_in_txn(l))
			lint_report(l, LR_CONCURRENTLY_IN_TXN, LINT_ERROR,
			    a->loc, "DETACH PARTITION CONCURRENTLY cannot run "
			    "inside a transaction block");
		else if (!pc->concurrent && (l->version == 0 ||
		    l->version >= 140000))
			lint_report_table(l, LR_DETACH_NOT_CONCURRENT, a->loc,
			    a->rv->schemaname, a->rv->relname, "DETACH "
			    "PARTITION without CONCURRENTLY takes ACCESS "
			    "EXCLUSIVE on %s", a->t);
		return;
	}
	if (pc->name == NULL || lint_table_state(l, pc->name->schemaname,
	    pc->name->relname, &part) == LT_NEW)
		return;
	why = lint_bound_unproved(l, lint_rel(l, a->rv->schemaname,
	    a->rv->relname), part, pc->bound);
	if (why == NULL)
		return;
	lint_report_table(l, LR_ATTACH_NO_CHECK, a->loc, pc->name->schemaname,
	    pc->name->relname, "ATTACH PARTITION %s scans it: its validated "
	    "CHECKs could not be proved to imply the bound in %s (%s)",
	    pc->name->relname, a->t, why);
	free(why);
}

/* ---- the statement ---- */

/* Subcommands that do not take ACCESS EXCLUSIVE on the table. */
static bool
lint_alter_weak_lock(PgQuery__AlterTableType t)
{
	switch (t) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
		return true;
	default:
		return false;
	}
}

static void
lint_alter_cmd(struct lint *l, struct lint_at *a)
{
	struct lm_rel *r;

	switch (a->c->subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
		lint_alter_add_column(l, a);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		if (lint_table_state(l, a->rv->schemaname, a->rv->relname,
		    &r) != LT_NEW)
			lint_report(l, LR_DROP_COLUMN, LINT_ERROR, a->loc,
			    "DROP COLUMN %s.%s loses its data", a->t,
			    a->c->name);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
		lint_alter_type(l, a);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
		lint_alter_set_not_null(l, a);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
		lint_alter_constraint(l, a);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
		lint_alter_validate(l, a);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
		lint_report_table(l, LR_TABLE_REWRITE, a->loc,
		    a->rv->schemaname, a->rv->relname, "this ALTER TABLE "
		    "copies all of %s under ACCESS EXCLUSIVE", a->t);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
		lint_alter_partition(l, a, a->c->subtype ==
		    PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition);
		break;
	default:
		break;
	}
}

void
lint_alter_table(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__AlterTableStmt *s = n->alter_table_stmt;
	struct lint_at a;
	bool ae = false;
	size_t i;

	if (s->relation == NULL ||
	    s->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	a.rv = s->relation;
	a.t = lint_qname(a.rv->schemaname, a.rv->relname);
	a.loc = loc;
	for (i = 0; i < s->n_cmds; i++) {
		if (s->cmds[i]->node_case !=
		    PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		a.c = s->cmds[i]->alter_table_cmd;
		lint_alter_cmd(l, &a);
		if (!lint_alter_weak_lock(a.c->subtype) &&
		    !(a.c->subtype == PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint
		    && a.c->def != NULL && a.c->def->node_case ==
		    PG_QUERY__NODE__NODE_CONSTRAINT &&
		    a.c->def->constraint->contype ==
		    PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN))
			ae = true;
	}
	if (ae)
		lint_lock_ae(l, a.rv->schemaname, a.rv->relname);
	free(a.t);
}
