/* SPDX-License-Identifier: MIT */
/* tables.c: the state tables: this role's privileges, create what is missing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

/*
 * What exists and what this role may do, by name (as parameters) through
 * the catalogs, which every role may read: to_regclass() or a qualified
 * name would fail with "permission denied for schema" before it answered.
 * $1 schema, $2 version table, $3 history table.
 */
static const char tables_inspect_sql[] =
    "WITH s AS (SELECT n.oid AS nsp FROM (VALUES (1)) x LEFT JOIN "
    "pg_catalog.pg_namespace n ON n.nspname = $1), "
    "t AS (SELECT c.oid, c.relname FROM pg_catalog.pg_class c JOIN s ON "
    "c.relnamespace = s.nsp WHERE c.relname IN ($2, $3) AND "
    "c.relkind IN ('r', 'p')) "
    "SELECT s.nsp IS NOT NULL, "
    "EXISTS (SELECT 1 FROM t WHERE t.relname = $2), "
    "EXISTS (SELECT 1 FROM t WHERE t.relname = $3), "
    "s.nsp IS NULL OR pg_catalog.has_schema_privilege(s.nsp, 'USAGE'), "
    "CASE WHEN s.nsp IS NULL THEN pg_catalog.has_database_privilege("
    "pg_catalog.current_database(), 'CREATE') ELSE "
    "pg_catalog.has_schema_privilege(s.nsp, 'CREATE') END, "
    "(SELECT pg_catalog.string_agg(p.priv || ' on table ' || $1 || '.' || "
    "t.relname, ', ' ORDER BY t.relname, p.o) FROM t CROSS JOIN (VALUES "
    "(1, 'SELECT'), (2, 'INSERT'), (3, 'UPDATE'), (4, 'DELETE')) "
    "p(o, priv) WHERE NOT pg_catalog.has_table_privilege(t.oid, p.priv)), "
    "(SELECT pg_catalog.string_agg('USAGE on sequence ' || $1 || '.' || "
    "q.relname, ', ') FROM t JOIN pg_catalog.pg_depend d ON d.refobjid = "
    "t.oid AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND "
    "d.deptype IN ('a', 'i') JOIN pg_catalog.pg_class q ON q.oid = d.objid "
    "WHERE CASE WHEN q.relkind = 'S' THEN NOT "
    "pg_catalog.has_sequence_privilege(q.oid, 'USAGE') END), "
    "current_user, pg_catalog.current_database(), "
    /* 9, 10: the history table has the column instance; we own it */
    "EXISTS (SELECT 1 FROM t JOIN pg_catalog.pg_attribute a ON "
    "a.attrelid = t.oid WHERE t.relname = $3 AND a.attname = 'instance' "
    "AND NOT a.attisdropped), "
    "(SELECT pg_catalog.pg_has_role(c.relowner, 'USAGE') FROM t JOIN "
    "pg_catalog.pg_class c ON c.oid = t.oid WHERE t.relname = $3) FROM s";

/*
 * The one check in flight (there is one lock session): static, so that a
 * session closed with the check's batch in flight (whose callback then
 * never runs) leaves nothing behind.
 */
static struct tables_job {
	void (*done)(const char *why);
	bool schema, vt, ht;	/* to create */
	bool instance;		/* the history table's column to add */
} tables_job;

/* The server's message (primary text), never NULL. */
static const char *
tables_errmsg(const PGresult *res)
{
	const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	return m != NULL ? m : "unknown error";
}

static bool
tables_bool(const PGresult *res, int col)
{
	return strcmp(PQgetvalue(res, 0, col), "t") == 0;
}

static void
tables_finish(struct tables_job *j, const char *why)
{
	j->done(why);
}

static void
tables_on_created(struct db *db, const struct db_result *r, void *arg)
{
	struct tables_job *j = arg;
	char *why;

	if (r->conn_lost)
		return;		/* the session's lost callback reports it */
	if (r->failed >= 0) {
		why = xasprintf("cannot create the state tables in schema %s: "
		    "%s", D->cfg.version_table_schema,
		    tables_errmsg(r->err));
		tables_finish(j, why);
		free(why);
		return;
	}
	if (j->schema)
		log_notice("created schema %s", D->schema_q);
	if (j->vt || j->ht)
		log_notice("created the state tables %s%s%s", j->vt ? D->vt :
		    "", j->vt && j->ht ? ", " : "", j->ht ? D->ht : "");
	if (j->instance)
		log_notice("added the column instance to %s", D->ht);
	tables_finish(j, NULL);
}

/* Create what is missing, in one transaction, under the lock. */
static void
tables_create(struct db *db, struct tables_job *j)
{
	struct db_query q[8];
	const char *lt[1] = { D->cfg.lock_timeout };
	char *schema, *vt, *ht, *col, *st = schema_table_sql();
	size_t n = 0;

	schema = xasprintf("CREATE SCHEMA IF NOT EXISTS %s", D->schema_q);
	vt = xasprintf("CREATE TABLE IF NOT EXISTS %s (version_num "
	    "varchar(32) NOT NULL, CONSTRAINT %s PRIMARY KEY "
	    "(version_num))", D->vt, D->vt_pkc);
	ht = xasprintf("CREATE TABLE IF NOT EXISTS %s ("
	    "id bigserial PRIMARY KEY, "
	    "revision varchar(32) NOT NULL, "
	    "operation text NOT NULL CHECK (operation IN "
	    "('upgrade', 'downgrade', 'stamp', 'resolve')), "
	    "checksum text, message text, "
	    "started_at timestamptz NOT NULL DEFAULT now(), "
	    "finished_at timestamptz, duration_ms bigint, "
	    "outcome text NOT NULL CHECK (outcome IN "
	    "('ok', 'failed', 'running')), "
	    "error text, host text, pid integer, requested_by text, "
	    "transactional boolean NOT NULL DEFAULT true, instance text)",
	    D->ht);
	/* a table of a version before instance ids (SPEC §3): add it */
	col = xasprintf("ALTER TABLE %s ADD COLUMN IF NOT EXISTS instance "
	    "text", D->ht);
	memset(q, 0, sizeof q);
	q[n++].sql = "BEGIN";
	if (j->schema)
		q[n++].sql = schema;
	if (j->vt)
		q[n++].sql = vt;
	if (j->ht) {
		q[n++].sql = ht;
		q[n++].sql = st;	/* schema drift's, with the others */
	}
	if (j->instance) {
		q[n].sql = "SELECT pg_catalog.set_config('lock_timeout', $1, "
		    "true)";
		q[n].nparams = 1;
		q[n++].params = lt;
		q[n++].sql = col;
	}
	q[n++].sql = "COMMIT";
	if (db_batch(db, true, n, q, tables_on_created, j) < 0)
		log_debug("lock session down: cannot create the tables");
	free(schema);
	free(vt);
	free(ht);
	free(col);
	free(st);
}

/* Why this role cannot use or create the state tables, or NULL. */
static char *
tables_missing(const PGresult *res, struct tables_job *j)
{
	const char *role = PQgetvalue(res, 0, 7);
	const char *schema = D->cfg.version_table_schema;

	if (!tables_bool(res, 3))
		return xasprintf("role %s lacks privilege USAGE on schema %s",
		    role, schema);
	if (j->schema && !tables_bool(res, 4))
		return xasprintf("role %s lacks privilege CREATE on database "
		    "%s (schema %s does not exist: create it, or grant "
		    "CREATE on the database)", role, PQgetvalue(res, 0, 8),
		    schema);
	if ((j->vt || j->ht) && !j->schema && !tables_bool(res, 4))
		return xasprintf("role %s lacks privilege CREATE on schema %s "
		    "(needed once, to create %s)", role, schema,
		    j->vt ? D->cfg.version_table : D->cfg.history_table);
	if (j->instance && !tables_bool(res, 10))
		return xasprintf("role %s lacks ownership of table %s.%s "
		    "(needed once, to add its column instance: run ALTER "
		    "TABLE %s ADD COLUMN instance text as its owner)", role,
		    schema, D->cfg.history_table, D->ht);
	if (!PQgetisnull(res, 0, 5) || !PQgetisnull(res, 0, 6))
		return xasprintf("role %s lacks privilege %s%s%s", role,
		    PQgetisnull(res, 0, 5) ? "" : PQgetvalue(res, 0, 5),
		    !PQgetisnull(res, 0, 5) && !PQgetisnull(res, 0, 6) ?
		    ", " : "",
		    PQgetisnull(res, 0, 6) ? "" : PQgetvalue(res, 0, 6));
	return NULL;
}

static void
tables_on_inspect(struct db *db, const struct db_result *r, void *arg)
{
	struct tables_job *j = arg;
	const PGresult *res;
	char *why;

	if (r->conn_lost)
		return;
	if (r->failed >= 0) {
		why = xasprintf("cannot inspect the state tables: %s",
		    tables_errmsg(r->err));
		tables_finish(j, why);
		free(why);
		return;
	}
	res = r->res[0];
	j->schema = !tables_bool(res, 0);
	j->vt = !tables_bool(res, 1);
	j->ht = !tables_bool(res, 2);
	j->instance = !j->ht && !tables_bool(res, 9);
	if ((why = tables_missing(res, j)) != NULL) {
		tables_finish(j, why);
		free(why);
	} else if (j->schema || j->vt || j->ht || j->instance)
		tables_create(db, j);
	else
		tables_finish(j, NULL);
}

void
tables_ensure(struct db *db, void (*done)(const char *why))
{
	const char *params[3] = { D->cfg.version_table_schema,
	    D->cfg.version_table, D->cfg.history_table };
	struct tables_job *j = &tables_job;

	memset(j, 0, sizeof *j);
	j->done = done;
	if (db_query1(db, tables_inspect_sql, 3, params, tables_on_inspect,
	    j) < 0)
		done("lock session down");
}
