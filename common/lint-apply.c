/* SPDX-License-Identifier: MIT */
/* lint-apply.c: record what each statement does to the lint model. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"

/*
 * After the rules have looked at a statement, its effects go into the
 * model (doc/lint.md §5): tables and their columns, constraints,
 * partition keys, the views reading them, indexes, enum labels, schemas.
 * Only what a rule later asks about is kept.
 */

void
lint_type_of(const PgQuery__TypeName *t, struct lm_col *c)
{
	int64_t v;
	size_t i;

	free(c->type);
	c->type = xstrdup(t != NULL ? lint_pg_last(t->names, t->n_names) :
	    "");
	c->nmods = 0;
	c->array = t != NULL && t->n_array_bounds > 0;
	for (i = 0; t != NULL && i < t->n_typmods && c->nmods < 2; i++)
		if (lint_pg_int(t->typmods[i], &v))
			c->mods[c->nmods++] = (int32_t)v;
}

char *
lint_type_str(const struct lm_col *c)
{
	if (c->nmods == 2)
		return xasprintf("%s(%d,%d)%s", c->type, c->mods[0],
		    c->mods[1], c->array ? "[]" : "");
	if (c->nmods == 1)
		return xasprintf("%s(%d)%s", c->type, c->mods[0],
		    c->array ? "[]" : "");
	return xasprintf("%s%s", c->type, c->array ? "[]" : "");
}

const PgQuery__Constraint *
lint_coldef_con(const PgQuery__ColumnDef *cd, PgQuery__ConstrType t)
{
	size_t i;

	for (i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case ==
		    PG_QUERY__NODE__NODE_CONSTRAINT &&
		    cd->constraints[i]->constraint->contype == t)
			return cd->constraints[i]->constraint;
	return NULL;
}

const char *
lint_nn_check_col(const PgQuery__Node *e)
{
	const PgQuery__NullTest *nt;
	const PgQuery__ColumnRef *cr;

	if (e == NULL || e->node_case != PG_QUERY__NODE__NODE_NULL_TEST)
		return NULL;
	nt = e->null_test;
	if (nt->nulltesttype != PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL ||
	    nt->arg == NULL ||
	    nt->arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return NULL;
	cr = nt->arg->column_ref;
	if (cr->n_fields != 1)
		return NULL;
	return lint_pg_str(cr->fields[0]);
}

struct lint_names {
	char **v;
	size_t n;
};

static void
lint_names_add(struct lint_names *ns, const char *s)
{
	size_t i;

	if (s == NULL || ns->n >= 256)
		return;
	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return;
	ns->v = xreallocarray(ns->v, ns->n + 1, sizeof *ns->v);
	ns->v[ns->n++] = xstrdup(s);
}

static void
lint_names_clear(struct lint_names *ns)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	memset(ns, 0, sizeof *ns);
}

/* Column names a CHECK expression reads. */
static bool
lint_apply_colref(const PgQuery__Node *n, void *arg)
{
	const PgQuery__ColumnRef *cr;

	if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
		return false;
	cr = n->column_ref;
	if (cr->n_fields > 0)
		lint_names_add(arg, lint_pg_str(cr->fields[cr->n_fields - 1]));
	return false;
}

static void
lint_apply_con(struct lint *l, struct lm_rel *r,
    const PgQuery__Constraint *k, const char *col)
{
	struct lint_names ns = { 0 };
	struct lm_con *c;
	struct lm_col *cc;
	char kind;

	switch (k->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		kind = 'c';
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
		kind = 'f';
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
		kind = 'p';
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		kind = 'u';
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
		kind = 'x';
		break;
	case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
		if (col != NULL && (cc = lm_col_find(r, col)) != NULL)
			cc->notnull = true;
		return;
	default:
		return;
	}
	c = lm_con_add(r, k->conname, kind);
	c->validated = !k->skip_validation;
	c->txn = l->txn;
	if (kind == 'c') {
		const char *nn = lint_nn_check_col(k->raw_expr);

		c->nn_col = nn != NULL ? xstrdup(nn) : NULL;
		lint_pg_walk(k->raw_expr, lint_apply_colref, &ns);
		c->cols = ns.v;
		c->ncols = ns.n;
		lint_bound_atoms(c, k->raw_expr);
	}
	if (kind == 'p' && col != NULL && (cc = lm_col_find(r, col)) != NULL)
		cc->notnull = true;
}

static void
lint_apply_coldef(struct lint *l, struct lm_rel *r,
    const PgQuery__ColumnDef *cd)
{
	struct lm_col *c;
	size_t i;

	if (cd->colname == NULL || *cd->colname == '\0')
		return;
	c = lm_col_add(r, cd->colname);
	lint_type_of(cd->type_name, c);
	c->notnull = cd->is_not_null;
	for (i = 0; i < cd->n_constraints; i++)
		if (cd->constraints[i]->node_case ==
		    PG_QUERY__NODE__NODE_CONSTRAINT)
			lint_apply_con(l, r, cd->constraints[i]->constraint,
			    cd->colname);
}

/* A relation the plan creates: fresh, "new" in this transaction. */
static struct lm_rel *
lint_apply_new_rel(struct lint *l, const PgQuery__RangeVar *rv, char kind)
{
	struct lm_rel *r;

	if ((r = lm_rel_find(&l->model, rv->schemaname, rv->relname)) != NULL)
		lm_rel_forget(&l->model, r);
	r = lm_rel_get(&l->model, rv->schemaname, rv->relname);
	r->kind = kind;
	r->created = true;
	r->txn = l->txn;
	r->in_plan_only = l->pending && l->o.facts != NULL &&
	    !lint_facts_rel(l->o.facts, rv->schemaname, rv->relname, NULL);
	return r;
}

static void
lint_apply_create(struct lint *l, const PgQuery__CreateStmt *s)
{
	const PgQuery__Node *e;
	struct lm_rel *r;
	const char *k;
	size_t i;

	if (s->if_not_exists && lint_rel(l, s->relation->schemaname,
	    s->relation->relname) != NULL)
		return;
	r = lint_apply_new_rel(l, s->relation, s->partspec != NULL ?
	    'p' : 'r');
	for (i = 0; s->partspec != NULL && i < s->partspec->n_part_params;
	    i++) {
		e = s->partspec->part_params[i];
		if (e->node_case != PG_QUERY__NODE__NODE_PARTITION_ELEM)
			continue;
		if ((k = e->partition_elem->name) == NULL || *k == '\0') {
			r->partkey_expr = true;
			continue;
		}
		r->partkey = xreallocarray(r->partkey, r->npartkey + 1,
		    sizeof *r->partkey);
		r->partkey[r->npartkey++] = xstrdup(k);
	}
	for (i = 0; i < s->n_table_elts; i++) {
		e = s->table_elts[i];
		if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			lint_apply_coldef(l, r, e->column_def);
		else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			lint_apply_con(l, r, e->constraint, NULL);
	}
}

struct lint_view_reads {
	struct lint_names tables;	/* "schema\1name" pairs */
	struct lint_names cols;
	bool star;
};

static bool
lint_apply_reads(const PgQuery__Node *n, void *arg)
{
	struct lint_view_reads *vr = arg;
	const PgQuery__RangeVar *rv;
	const PgQuery__ColumnRef *cr;
	char *k;

	if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
		rv = n->range_var;
		k = xasprintf("%s\1%s", rv->schemaname, rv->relname);
		lint_names_add(&vr->tables, k);
		free(k);
	} else if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
		cr = n->column_ref;
		if (cr->n_fields == 0)
			return false;
		if (cr->fields[cr->n_fields - 1]->node_case ==
		    PG_QUERY__NODE__NODE_A_STAR)
			vr->star = true;
		else
			lint_names_add(&vr->cols, lint_pg_str(
			    cr->fields[cr->n_fields - 1]));
	}
	return false;
}

/* A view or materialized view: it reads the columns it names. */
static void
lint_apply_view(struct lint *l, const PgQuery__RangeVar *view, char kind,
    const PgQuery__Node *query)
{
	struct lint_view_reads vr = { 0 };
	struct lm_rel *t;
	char *vname, *sep;
	size_t i, j;

	lint_apply_new_rel(l, view, kind);
	lint_pg_walk(query, lint_apply_reads, &vr);
	vname = lint_qname(view->schemaname, view->relname);
	for (i = 0; i < vr.tables.n; i++) {
		sep = strchr(vr.tables.v[i], '\1');
		*sep = '\0';
		t = lm_rel_find(&l->model, vr.tables.v[i], sep + 1);
		if (t == NULL)
			continue;
		if (vr.star)
			lm_dep_add(t, vname, NULL);
		for (j = 0; j < vr.cols.n; j++)
			if (lm_col_find(t, vr.cols.v[j]) != NULL)
				lm_dep_add(t, vname, vr.cols.v[j]);
	}
	free(vname);
	lint_names_clear(&vr.tables);
	lint_names_clear(&vr.cols);
}

static void
lint_apply_alter_cmd(struct lint *l, struct lm_rel *r,
    const PgQuery__AlterTableCmd *c)
{
	struct lm_con *k;
	struct lm_col *col;
	const PgQuery__Node *d = c->def;

	switch (c->subtype) {
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
		if (d != NULL && d->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			lint_apply_coldef(l, r, d->column_def);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
		lm_col_forget(r, c->name);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
		if ((col = lm_col_find(r, c->name)) != NULL && d != NULL &&
		    d->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF)
			lint_type_of(d->column_def->type_name, col);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
		if ((col = lm_col_find(r, c->name)) != NULL)
			col->notnull = c->subtype ==
			    PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull;
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
		if (d != NULL && d->node_case == PG_QUERY__NODE__NODE_CONSTRAINT)
			lint_apply_con(l, r, d->constraint, NULL);
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
		if ((k = lm_con_find(r, c->name)) != NULL) {
			k->validated = true;
			k->txn = l->txn;
		}
		break;
	case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
		if ((k = lm_con_find(r, c->name)) != NULL) {
			free(k->name);
			k->name = xstrdup("");
			k->kind = '-';
		}
		break;
	default:
		break;
	}
}

static void
lint_apply_alter(struct lint *l, const PgQuery__AlterTableStmt *s)
{
	struct lm_rel *r;
	size_t i;

	if (s->relation == NULL)
		return;
	r = lint_rel(l, s->relation->schemaname, s->relation->relname);
	if (r == NULL) {
		/* Unknown to us: still keep what this statement says. */
		r = lm_rel_get(&l->model, s->relation->schemaname,
		    s->relation->relname);
	}
	for (i = 0; i < s->n_cmds; i++)
		if (s->cmds[i]->node_case ==
		    PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			lint_apply_alter_cmd(l, r, s->cmds[i]->alter_table_cmd);
}

static void
lint_apply_rename(struct lint *l, const PgQuery__RenameStmt *s)
{
	struct lm_rel *r = NULL;
	struct lm_col *c;
	struct lm_con *k;
	struct lm_index *x;
	char *table;

	if (s->relation != NULL)
		r = lint_rel(l, s->relation->schemaname, s->relation->relname);
	switch (s->rename_type) {
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
	case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
	case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
		if (r != NULL)
			lm_rel_rename(&l->model, r, s->newname);
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
		if (r != NULL && (c = lm_col_find(r, s->subname)) != NULL) {
			free(c->name);
			c->name = xstrdup(s->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT:
		if (r != NULL && (k = lm_con_find(r, s->subname)) != NULL) {
			free(k->name);
			k->name = xstrdup(s->newname);
		}
		break;
	case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
		if (s->relation != NULL && (x = lm_index_find(&l->model,
		    s->relation->relname)) != NULL) {
			table = xstrdup(x->table);
			lm_index_add(&l->model, s->newname, table, x->txn);
			lm_index_forget(&l->model, s->relation->relname);
			free(table);
		}
		break;
	default:
		break;
	}
}

/* The name list of a DROP object: a List of Strings, or a TypeName. */
void
lint_drop_name(const PgQuery__Node *o, const char **schema,
    const char **name)
{
	*schema = NULL;
	*name = NULL;
	if (o->node_case == PG_QUERY__NODE__NODE_LIST) {
		*name = lint_pg_last(o->list->items, o->list->n_items);
		*schema = lint_pg_schema(o->list->items, o->list->n_items);
	} else if (o->node_case == PG_QUERY__NODE__NODE_TYPE_NAME) {
		*name = lint_pg_last(o->type_name->names,
		    o->type_name->n_names);
		*schema = lint_pg_schema(o->type_name->names,
		    o->type_name->n_names);
	} else if (o->node_case == PG_QUERY__NODE__NODE_STRING)
		*name = o->string->sval;
}

static void
lint_apply_drop(struct lint *l, const PgQuery__DropStmt *s)
{
	const char *schema, *name;
	struct lm_rel *r;
	char *t;
	size_t i;

	for (i = 0; i < s->n_objects; i++) {
		lint_drop_name(s->objects[i], &schema, &name);
		if (name == NULL)
			continue;
		switch (s->remove_type) {
		case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
		case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
			t = lint_qname(schema, name);
			lm_deps_forget(&l->model, t);
			free(t);
			/* FALLTHROUGH */
		case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
			if ((r = lm_rel_find(&l->model, schema, name)) != NULL)
				lm_rel_forget(&l->model, r);
			break;
		case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
			lm_index_forget(&l->model, name);
			break;
		default:
			break;
		}
	}
}

static void
lint_apply_enum(struct lint *l, const PgQuery__AlterEnumStmt *s)
{
	struct lm_enum *e;

	if (s->old_val != NULL && *s->old_val != '\0')
		return;
	e = lm_enum_get(&l->model, lint_pg_last(s->type_name,
	    s->n_type_name));
	if (e->nlabels >= 1024)
		return;
	e->labels = xreallocarray(e->labels, e->nlabels + 1,
	    sizeof *e->labels);
	e->txn = xreallocarray(e->txn, e->nlabels + 1, sizeof *e->txn);
	e->labels[e->nlabels] = xstrdup(s->new_val);
	e->txn[e->nlabels++] = l->txn;
}

void
lint_model_apply(struct lint *l, const PgQuery__Node *n)
{
	char *t;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		lint_apply_create(l, n->create_stmt);
		break;
	case PG_QUERY__NODE__NODE_VIEW_STMT:
		lint_apply_view(l, n->view_stmt->view, 'v',
		    n->view_stmt->query);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		if (n->create_table_as_stmt->into != NULL)
			lint_apply_view(l, n->create_table_as_stmt->into->rel,
			    n->create_table_as_stmt->objtype ==
			    PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW ? 'm' : 'r',
			    n->create_table_as_stmt->query);
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		t = lint_qname(n->index_stmt->relation->schemaname,
		    n->index_stmt->relation->relname);
		lm_index_add(&l->model, n->index_stmt->idxname, t, l->txn);
		free(t);
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		lint_apply_alter(l, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT:
		lint_apply_rename(l, n->rename_stmt);
		break;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		lint_apply_drop(l, n->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
		lm_enum_get(&l->model, lint_pg_last(
		    n->create_enum_stmt->type_name,
		    n->create_enum_stmt->n_type_name))->created = l->txn;
		break;
	case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
		lint_apply_enum(l, n->alter_enum_stmt);
		break;
	case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
		lm_schema_add(&l->model, n->create_schema_stmt->schemaname,
		    l->txn);
		break;
	default:
		break;
	}
}

bool
lint_is_ddl(const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_SELECT_STMT:
	case PG_QUERY__NODE__NODE_INSERT_STMT:
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
	case PG_QUERY__NODE__NODE_DELETE_STMT:
	case PG_QUERY__NODE__NODE_MERGE_STMT:
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
	case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
	case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
	case PG_QUERY__NODE__NODE_NOTIFY_STMT:
	case PG_QUERY__NODE__NODE_COPY_STMT:
	case PG_QUERY__NODE__NODE_LOCK_STMT:
	case PG_QUERY__NODE__NODE_DO_STMT:
	case PG_QUERY__NODE__NODE_CALL_STMT:
	case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
	case PG_QUERY__NODE__NODE_COMMENT_STMT:
	case PG_QUERY__NODE__NODE_GRANT_STMT:
	case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
		return false;
	default:
		return true;
	}
}
