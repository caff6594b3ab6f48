/* SPDX-License-Identifier: MIT */
/* ctl-lintdb.c: lint --db: the version rows and the catalog facts. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "ctl.h"
#include "lint.h"
#include "migfile.h"
#include "revgraph.h"
#include "xmalloc.h"

/*
 * This file is built only into migratectl-full (CTL_HEAVY in ctl.h), which
 * links libpq: blocking calls are fine in a command-line client.
 */

/* Run sql with params; the result on success, else NULL with *why. */
static PGresult *
ctl_lintdb_query(PGconn *c, const char *sql, int n,
    const char *const *params, char **why)
{
	PGresult *r;

	r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK)
		return r;
	*why = xasprintf("%s", PQresultErrorMessage(r));
	PQclear(r);
	return NULL;
}

/* applied[i] for each revision the version rows imply. */
static int
ctl_lintdb_applied(PGconn *c, const struct revgraph *g,
    bool *applied, char **why)
{
	static const char *const vt[] = { "public.alembic_version" };
	PGresult *r;
	size_t *rows, nrows = 0;
	ssize_t k;
	int i;

	if ((r = ctl_lintdb_query(c, "SELECT to_regclass($1) IS NOT NULL", 1,
	    vt, why)) == NULL)
		return -EIO;
	if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		PQclear(r);
		return 0;	/* no version table: nothing applied yet */
	}
	PQclear(r);
	if ((r = ctl_lintdb_query(c, "SELECT version_num FROM "
	    "public.alembic_version", 0, NULL, why)) == NULL)
		return -EIO;
	rows = xcalloc((size_t)PQntuples(r) + 1, sizeof *rows);
	for (i = 0; i < PQntuples(r); i++)
		if ((k = revgraph_find(g, PQgetvalue(r, i, 0))) >= 0)
			rows[nrows++] = (size_t)k;
	PQclear(r);
	revgraph_closure(g, rows, nrows, applied);
	free(rows);
	return 0;
}

int
ctl_lintdb_facts(const char *url, const struct revgraph *g, bool *pending,
    struct lint_facts **facts, char **why)
{
	struct lint_refs *refs;
	PGconn *c;
	PGresult *r;
	bool *applied;
	char *param;
	size_t i;
	int rc;

	*facts = NULL;
	c = PQconnectdb(url);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		*why = xasprintf("cannot connect: %s", c != NULL ?
		    PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return -ECONNREFUSED;
	}
	applied = xcalloc(g->n + 1, sizeof *applied);
	rc = ctl_lintdb_applied(c, g, applied, why);
	refs = lint_refs_new();
	for (i = 0; rc == 0 && i < g->n; i++) {
		pending[i] = !applied[i];
		if (pending[i])
			lint_refs_section(refs, g->nodes[i].mf, true);
	}
	param = rc == 0 ? lint_refs_param(refs) : NULL;
	if (param != NULL && (r = ctl_lintdb_query(c, lint_facts_sql, 1,
	    (const char *const *)&param, why)) != NULL) {
		rc = lint_facts_parse(PQgetvalue(r, 0, 0), facts, why);
		PQclear(r);
	} else
		rc = -EIO;
	free(param);
	lint_refs_free(refs);
	free(applied);
	PQfinish(c);
	return rc;
}
