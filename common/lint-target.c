/* SPDX-License-Identifier: MIT */
/* lint-target.c: what a statement builds, for the daemon's runner. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"

/*
 * The runner (daemon/runner-cic.c) must know which index a cancelled
 * CREATE INDEX CONCURRENTLY of a non-transactional revision left invalid:
 * the same parse as the lint's (lint_pg_parse), never a pattern on the
 * text, so comments, quoting and case are PostgreSQL's.
 */
int
lint_cic_target(const char *sql, struct lint_cic *out)
{
	struct arena a = ARENA_INIT(16 * 1024);
	PgQuery__ParseResult *t;
	const PgQuery__IndexStmt *s;
	char *msg;
	int pos, r = 0;

	memset(out, 0, sizeof *out);
	t = lint_pg_parse(&a, sql, &msg, &pos);
	free(msg);
	if (t == NULL || t->n_stmts != 1 || t->stmts[0]->stmt == NULL ||
	    t->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_INDEX_STMT)
		goto out;
	s = t->stmts[0]->stmt->index_stmt;
	/* unnamed: PostgreSQL picks the name (doc/decisions.md) */
	if (!s->concurrent || s->relation == NULL || s->idxname == NULL ||
	    *s->idxname == '\0' || s->relation->relname == NULL)
		goto out;
	if (s->relation->schemaname != NULL && *s->relation->schemaname != '\0')
		out->schema = xstrdup(s->relation->schemaname);
	out->table = xstrdup(s->relation->relname);
	out->index = xstrdup(s->idxname);
	out->if_not_exists = s->if_not_exists;
	r = 1;
out:
	arena_clear(&a);
	return r;
}

void
lint_cic_clear(struct lint_cic *c)
{
	free(c->schema);
	free(c->table);
	free(c->index);
	memset(c, 0, sizeof *c);
}
