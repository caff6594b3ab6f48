/* SPDX-License-Identifier: MIT */
/* runner-cic.c: a cancelled CREATE INDEX CONCURRENTLY's invalid index. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "lint.h"
#include "log.h"
#include "runner-sql.h"

/*
 * A lock_timeout cancels CREATE INDEX CONCURRENTLY after its first
 * transaction committed the index to the catalog: the index stays, invalid,
 * and a retry of the statement fails with 42P07 (IF NOT EXISTS: succeeds
 * and keeps the invalid index). So before the first attempt of a named
 * CREATE INDEX CONCURRENTLY of a non-transactional step, the oid of an index
 * of that name is recorded (or its absence); before each retry, an index of
 * that name on that table that is invalid and is not the recorded one was
 * left by our own cancelled attempt, and is dropped (doc/decisions.md).
 * Every query runs on the lock session with the simple protocol (DROP INDEX
 * CONCURRENTLY cannot run in a pipeline's implicit transaction).
 */

/* The table's oid from $1 (schema or NULL) and $2 (table), search_path's. */
#define CIC_TABLE "pg_catalog.to_regclass(CASE WHEN $1::text IS NULL " \
	"THEN pg_catalog.quote_ident($2) ELSE pg_catalog.quote_ident($1) " \
	"|| '.' || pg_catalog.quote_ident($2) END)"

static const char cic_record_sql[] =
    "SELECT c.oid::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_index i "
    "ON i.indexrelid = c.oid WHERE i.indrelid = " CIC_TABLE " AND "
    "c.relname = $3::name";

/* $4: the recorded oid, or NULL. Columns: schema, name, oid, ours. */
static const char cic_check_sql[] =
    "SELECT n.nspname::text, c.relname::text, c.oid::text, "
    "c.oid IS DISTINCT FROM $4::oid FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE i.indrelid = " CIC_TABLE " AND c.relname = $3::name AND "
    "NOT i.indisvalid";

static struct {
	bool on;		/* the index of statement k is recorded */
	struct lint_cic t;
	char *hist_id;		/* the step's running row */
	size_t k;		/* statement index in the section */
	char *oid;		/* the index of that name before, or NULL */
	const char *op;		/* for the log (static strings) */
	char *revision;
	runner_cic_cb done;
	void *arg;
	char *dropping;		/* the DROP's index, for the log */
} C;

void
runner_cic_clear(void)
{
	lint_cic_clear(&C.t);
	free(C.hist_id);
	free(C.oid);
	free(C.revision);
	free(C.dropping);
	memset(&C, 0, sizeof C);
}

static void
runner_cic_send(struct rsql_batch *b, db_batch_cb cb)
{
	if (rsql_send(b, D->lockdb, false, cb) < 0)
		leader_lost("lock session down");
	rsql_clear(b);
}

/* Add q with the statement's table and index (check: the recorded oid). */
static void
runner_cic_add(struct rsql_batch *b, bool check)
{
	rsql_add(b, check ? cic_check_sql : cic_record_sql, check ? 4 : 3,
	    C.t.schema, C.t.table, C.t.index, C.oid);
}

static void
runner_cic_on_record(struct db *db, const struct db_result *r, void *arg)
{
	if (r->conn_lost || C.done == NULL)
		return;	/* runner_cic_clear(): the plan is gone */
	if (r->failed >= 0) {
		C.done(r->err, C.arg);
		return;
	}
	C.on = true;	/* recorded: a later attempt is a retry */
	free(C.oid);
	C.oid = PQntuples(r->res[0]) > 0 && !PQgetisnull(r->res[0], 0, 0) ?
	    xstrdup(PQgetvalue(r->res[0], 0, 0)) : NULL;
	C.done(NULL, C.arg);
}

static void
runner_cic_on_drop(struct db *db, const struct db_result *r, void *arg)
{
	const char *msg;

	if (r->conn_lost || C.done == NULL)
		return;	/* runner_cic_clear(): the plan is gone */
	if (r->failed < 0)
		log_op(LOG_LVL_WARN, C.op, C.revision, -1, NULL, "dropped the "
		    "invalid index %s that the cancelled CREATE INDEX "
		    "CONCURRENTLY left; retrying it", C.dropping);
	else if ((msg = PQresultErrorField(r->err,
	    PG_DIAG_MESSAGE_PRIMARY)) != NULL)	/* 55P03: an attempt */
		log_op(LOG_LVL_WARN, C.op, C.revision, -1,
		    PQresultErrorField(r->err, PG_DIAG_SQLSTATE), "cannot drop "
		    "the invalid index %s that the cancelled CREATE INDEX "
		    "CONCURRENTLY left: %s", C.dropping, msg);
	free(C.dropping);
	C.dropping = NULL;
	C.done(r->failed >= 0 ? r->err : NULL, C.arg);
}

static void
runner_cic_on_check(struct db *db, const struct db_result *r, void *arg)
{
	const PGresult *res;
	struct rsql_batch b;
	char *nsp, *rel, *q, *sql;

	if (r->conn_lost || C.done == NULL)
		return;	/* runner_cic_clear(): the plan is gone */
	if (r->failed >= 0) {
		C.done(r->err, C.arg);
		return;
	}
	res = r->res[0];
	if (PQntuples(res) == 0) {
		C.done(NULL, C.arg);	/* cancelled before it made one */
		return;
	}
	nsp = settings_quote_ident(PQgetvalue(res, 0, 0));
	rel = settings_quote_ident(PQgetvalue(res, 0, 1));
	q = xasprintf("%s.%s", nsp, rel);
	free(nsp);
	free(rel);
	if (strcmp(PQgetvalue(res, 0, 3), "t") != 0) {
		log_op(LOG_LVL_NOTICE, C.op, C.revision, -1, NULL,
		    "the invalid index %s (oid %s) existed before this "
		    "revision ran: not dropped", q, PQgetvalue(res, 0, 2));
		free(q);
		C.done(NULL, C.arg);
		return;
	}
	sql = xasprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", q);
	free(C.dropping);
	C.dropping = xasprintf("%s (oid %s)", q, PQgetvalue(res, 0, 2));
	free(q);
	rsql_init(&b);
	rsql_add(&b, sql, 0);
	free(sql);
	runner_cic_send(&b, runner_cic_on_drop);
}

bool
runner_cic_before(const char *op, const char *revision, const char *hist_id,
    size_t k, const char *sql, runner_cic_cb done, void *arg)
{
	struct rsql_batch b;
	bool retry;

	retry = C.on && C.k == k && strcmp(C.hist_id, hist_id) == 0;
	if (!retry) {
		runner_cic_clear();
		if (lint_cic_target(sql, &C.t) == 0)
			return false;
		C.hist_id = xstrdup(hist_id);
		C.k = k;
		C.revision = xstrdup(revision);
	}
	C.op = op;
	C.done = done;
	C.arg = arg;
	rsql_init(&b);
	runner_cic_add(&b, retry);
	runner_cic_send(&b, retry ? runner_cic_on_check : runner_cic_on_record);
	return true;
}
