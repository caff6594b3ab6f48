/* SPDX-License-Identifier: MIT */
/* lint-index.c: rule family: index builds and drops, REINDEX. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"
#include "migfile.h"

/* CONCURRENTLY on 14.0-14.3 (fixed in 14.4: CVE-less data corruption). */
static void
lint_index_pg14(struct lint *l, int loc, const char *what)
{
	if (l->version >= 140000 && l->version < 140004)
		lint_report(l, LR_CIC_PG14_BUG, LINT_ERROR, loc, "%s on "
		    "PostgreSQL %d.%d may build a corrupt index", what,
		    l->version / 10000, l->version % 100);
}

static void
lint_index_in_txn(struct lint *l, int loc, const char *what)
{
	if (lint_in_txn(l))
		lint_report(l, LR_CONCURRENTLY_IN_TXN, LINT_ERROR, loc, "%s "
		    "cannot run inside a transaction block (revision %s is "
		    "transactional)", what, l->mf->revision);
}

void
lint_index_create(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__IndexStmt *s = n->index_stmt;
	const PgQuery__RangeVar *rv = s->relation;
	struct lm_rel *r = NULL;
	enum lt_state st;
	char *t;

	if (rv == NULL)
		return;
	st = lint_table_state(l, rv->schemaname, rv->relname, &r);
	t = lint_qname(rv->schemaname, rv->relname);
	if (s->concurrent) {
		lint_index_in_txn(l, loc, "CREATE INDEX CONCURRENTLY");
		lint_index_pg14(l, loc, "CREATE INDEX CONCURRENTLY");
		if (r != NULL && r->kind == 'p')
			lint_report(l, LR_INDEX_PARTITIONED, LINT_ERROR, loc,
			    "CREATE INDEX CONCURRENTLY on partitioned table "
			    "%s fails", t);
	} else if (r != NULL && r->kind == 'p') {
		/* ON ONLY (inh false) builds nothing: the safe first step. */
		if (rv->inh && st != LT_NEW)
			lint_report_table(l, LR_INDEX_PARTITIONED, loc,
			    rv->schemaname, rv->relname, "CREATE INDEX on "
			    "partitioned table %s builds it on every "
			    "partition under a SHARE lock", t);
	} else
		lint_report_table(l, LR_INDEX_NOT_CONCURRENT, loc,
		    rv->schemaname, rv->relname, "CREATE %sINDEX %s on %s "
		    "without CONCURRENTLY blocks writes to %s for the build",
		    s->unique ? "UNIQUE " : "", *s->idxname != '\0' ?
		    s->idxname : "(unnamed)", t, t);
	free(t);
}

/* The table of an index (model, else catalog); free *schema, *name. */
static bool
lint_index_table(struct lint *l, const char *index, char **schema,
    char **name)
{
	struct lm_index *x = lm_index_find(&l->model, index);

	*schema = *name = NULL;
	if (x == NULL)
		return l->pending && l->o.facts != NULL &&
		    lint_facts_index(l->o.facts, NULL, index, schema, name);
	lint_split_qname(x->table, schema, name);
	return true;
}

static void
lint_index_drop1(struct lint *l, const PgQuery__DropStmt *s,
    const char *index, int loc)
{
	char *schema, *name;

	if (!lint_index_table(l, index, &schema, &name)) {
		lint_report(l, LR_DROP_INDEX_NOT_CONCURRENT, LINT_WARNING, loc,
		    "DROP INDEX %s without CONCURRENTLY takes ACCESS EXCLUSIVE "
		    "on its table", index);
		return;
	}
	lint_report_table(l, LR_DROP_INDEX_NOT_CONCURRENT, loc, schema, name,
	    "DROP INDEX %s without CONCURRENTLY takes ACCESS EXCLUSIVE on %s",
	    index, name);
	lint_lock_ae(l, schema, name);
	free(schema);
	free(name);
}

void
lint_index_drop(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__DropStmt *s = n->drop_stmt;
	const char *schema, *name;
	size_t i;

	if (s->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
		return;
	if (s->concurrent) {
		lint_index_in_txn(l, loc, "DROP INDEX CONCURRENTLY");
		for (i = 0; s->missing_ok && i < s->n_objects &&
		    l->ndropped_ifx < 1000; i++) {
			lint_drop_name(s->objects[i], &schema, &name);
			if (name == NULL)
				continue;
			l->dropped_ifx = xreallocarray(l->dropped_ifx,
			    l->ndropped_ifx + 1, sizeof *l->dropped_ifx);
			l->dropped_ifx[l->ndropped_ifx++] = xstrdup(name);
		}
		return;
	}
	for (i = 0; i < s->n_objects; i++) {
		lint_drop_name(s->objects[i], &schema, &name);
		if (name != NULL)
			lint_index_drop1(l, s, name, loc);
	}
}

void
lint_index_reindex(struct lint *l, const PgQuery__Node *n, int loc)
{
	const PgQuery__ReindexStmt *s = n->reindex_stmt;
	const PgQuery__RangeVar *rv = s->relation;
	char *schema = NULL, *name = NULL;
	bool whole;

	whole = s->kind != PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX &&
	    s->kind != PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE;
	if (lint_pg_opt(s->params, s->n_params, "concurrently")) {
		lint_index_in_txn(l, loc, "REINDEX CONCURRENTLY");
		lint_index_pg14(l, loc, "REINDEX CONCURRENTLY");
		return;
	}
	if (whole) {
		if (lint_in_txn(l))
			lint_report(l, LR_NEEDS_NO_TXN, LINT_ERROR, loc,
			    "REINDEX of a whole schema or database cannot run "
			    "inside a transaction block");
		lint_report(l, LR_REINDEX_NOT_CONCURRENT, LINT_ERROR, loc,
		    "REINDEX of a whole schema or database blocks writes to "
		    "each table in turn");
		return;
	}
	if (rv == NULL)
		return;
	if (s->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE) {
		schema = rv->schemaname != NULL ? xstrdup(rv->schemaname) :
		    NULL;
		name = xstrdup(rv->relname);
	} else if (!lint_index_table(l, rv->relname, &schema, &name)) {
		lint_report(l, LR_REINDEX_NOT_CONCURRENT, LINT_ERROR, loc,
		    "REINDEX INDEX %s without CONCURRENTLY blocks writes to "
		    "its table%s", rv->relname, l->version > 0 &&
		    l->version < 120000 ? " (no CONCURRENTLY before 12: "
		    "build a copy concurrently)" : "");
		return;
	}
	lint_report_table(l, LR_REINDEX_NOT_CONCURRENT, loc, schema, name,
	    "REINDEX without CONCURRENTLY blocks writes to %s for the "
	    "rebuild%s", name, l->version > 0 && l->version < 120000 ?
	    " (no CONCURRENTLY before 12: build a copy concurrently)" : "");
	free(schema);
	free(name);
}
