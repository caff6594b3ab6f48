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

/* The version table, quoted for SQL, or NULL if it does not exist. */
static char *
ctl_lintdb_vt(const struct ctl_args *a, PGconn *c, char **why, int *rc)
{
	static const char sql[] = "SELECT n.nspname, c.relname FROM pg_class c "
	    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = "
	    "to_regclass(CASE WHEN $1::text IS NULL THEN quote_ident($2) ELSE "
	    "quote_ident($1) || '.' || quote_ident($2) END)";
	const char *params[2];
	char *s = NULL, *t = NULL, *out = NULL;
	PGresult *r;

	*rc = 0;
	params[0] = a->conf_vt_schema;
	params[1] = a->conf_vt != NULL ? a->conf_vt : "alembic_version";
	if ((r = ctl_lintdb_query(c, sql, 2, params, why)) == NULL) {
		*rc = -EIO;
		return NULL;
	}
	if (PQntuples(r) == 1 &&
	    (s = PQescapeIdentifier(c, PQgetvalue(r, 0, 0),
	    strlen(PQgetvalue(r, 0, 0)))) != NULL &&
	    (t = PQescapeIdentifier(c, PQgetvalue(r, 0, 1),
	    strlen(PQgetvalue(r, 0, 1)))) != NULL)
		out = xasprintf("%s.%s", s, t);
	PQfreemem(s);
	PQfreemem(t);
	PQclear(r);
	return out;
}

/* applied[i] for each revision the version rows imply. */
static int
ctl_lintdb_applied(const struct ctl_args *a, PGconn *c,
    const struct revgraph *g, bool *applied, char **why)
{
	PGresult *r;
	size_t *rows, nrows = 0;
	ssize_t k;
	char *vt, *sql;
	int i, rc;

	if ((vt = ctl_lintdb_vt(a, c, why, &rc)) == NULL)
		return rc;	/* no version table: nothing applied yet */
	/* vt was quoted by PQescapeIdentifier; there is no value in it */
	sql = xasprintf("SELECT version_num FROM %s", vt);
	r = ctl_lintdb_query(c, sql, 0, NULL, why);
	free(sql);
	free(vt);
	if (r == NULL)
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
ctl_lintdb_facts(const struct ctl_args *a, const struct revgraph *g,
    bool *pending, struct lint_trees *trees, struct lint_facts **facts,
    void **conn, char **why)
{
	struct lint_refs *refs;
	PGconn *c;
	PGresult *r;
	bool *applied;
	char *param;
	size_t i;
	int rc;

	*facts = NULL;
	*conn = NULL;
	c = PQconnectdb(a->db);
	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		*why = xasprintf("cannot connect: %s", c != NULL ?
		    PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return -ECONNREFUSED;
	}
	applied = xcalloc(g->n + 1, sizeof *applied);
	rc = ctl_lintdb_applied(a, c, g, applied, why);
	refs = lint_refs_new();
	for (i = 0; rc == 0 && i < g->n; i++) {
		pending[i] = !applied[i];
		if (pending[i])
			lint_refs_section(refs, g->nodes[i].mf, true, trees);
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
	if (rc < 0)
		PQfinish(c);
	else
		*conn = c;
	return rc;
}

/*
 * The planner's estimate of the rows an UPDATE or DELETE touches: EXPLAIN
 * (FORMAT JSON) of the statement itself (one statement: the extended
 * protocol refuses more), in a read-only transaction that gives up after
 * 1 s waiting for a lock or 5 s planning, then rolls back. -1 if unknown.
 */
long long
ctl_lintdb_estimate(void *conn, const char *sql)
{
	PGconn *c = conn;
	PGresult *r;
	json_t *doc, *plan, *sub;
	json_error_t e;
	char *q;
	long long rows = -1;

	r = PQexec(c, "BEGIN READ ONLY; SET LOCAL lock_timeout = '1s'; "
	    "SET LOCAL statement_timeout = '5s'");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		PQclear(r);
		return -1;
	}
	PQclear(r);
	q = xasprintf("EXPLAIN (FORMAT JSON) %s", sql);
	r = PQexecParams(c, q, 0, NULL, NULL, NULL, NULL, 0);
	free(q);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
	    (doc = json_loads(PQgetvalue(r, 0, 0), 0, &e)) != NULL) {
		plan = json_object_get(json_array_get(doc, 0), "Plan");
		/* ModifyTable estimates 0 rows; its input is what changes */
		sub = json_array_get(json_object_get(plan, "Plans"), 0);
		if (json_is_number(json_object_get(sub, "Plan Rows")))
			rows = (long long)json_number_value(json_object_get(sub,
			    "Plan Rows"));
		json_decref(doc);
	}
	PQclear(r);
	PQclear(PQexec(c, "ROLLBACK"));
	return rows;
}

void
ctl_lintdb_close(void *conn)
{
	PQfinish(conn);
}
