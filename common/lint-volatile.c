/* SPDX-License-Identifier: MIT */
/* lint-volatile.c: how volatile an expression is (pg_proc.provolatile). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"
#include "lint-volatile.h"

/*
 * Offline, the built-in functions' volatility comes from the table that
 * scripts/gen-lint-volatile generated from pg_proc; with a database, from
 * that database's pg_proc (user functions included). A function known to
 * neither is 'u': lint cannot tell, and says so.
 */

static int
lint_builtin_cmp(const void *key, const void *elt)
{
	return strcmp(key, ((const struct lint_builtin *)elt)->name);
}

char
lint_builtin_volatility(const char *name)
{
	const struct lint_builtin *b;

	b = bsearch(name, lint_builtins, ARRAY_LEN(lint_builtins),
	    sizeof *lint_builtins, lint_builtin_cmp);
	return b != NULL ? b->vol : 0;
}

/* Worse first: volatile, unknown, stable, immutable. */
static int
lint_vol_rank(char v)
{
	switch (v) {
	case 'v':
		return 3;
	case 'u':
		return 2;
	case 's':
		return 1;
	default:
		return 0;
	}
}

struct lint_vol {
	struct lint *l;
	char worst;
	const char *fn;
};

static bool
lint_vol_walk(const PgQuery__Node *n, void *arg)
{
	struct lint_vol *w = arg;
	const PgQuery__FuncCall *f;
	const char *name, *schema;
	char v = 0;

	if (n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
		return false;
	f = n->func_call;
	name = lint_pg_last(f->funcname, f->n_funcname);
	schema = lint_pg_schema(f->funcname, f->n_funcname);
	if (w->l->pending && w->l->o.facts != NULL)
		v = lint_facts_volatility(w->l->o.facts, name);
	if (v == 0 && (schema == NULL || strcmp(schema, "pg_catalog") == 0))
		v = lint_builtin_volatility(name);
	if (v == 0)
		v = 'u';
	if (lint_vol_rank(v) > lint_vol_rank(w->worst)) {
		w->worst = v;
		w->fn = name;
	}
	return false;
}

char
lint_volatility(struct lint *l, const PgQuery__Node *expr, const char **fn)
{
	struct lint_vol w = { l, 'i', NULL };

	lint_pg_walk(expr, lint_vol_walk, &w);
	*fn = w.fn != NULL ? w.fn : "";
	return w.worst;
}
