/* SPDX-License-Identifier: MIT */
/* guard.c: the per-step guard as a function created once per plan. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "runner-sql.h"

/*
 * Every step checks, inside its transaction, that this backend holds the
 * advisory lock and that the version rows are the plan's (leader.c,
 * leader_check_sql). As a DO block that check was compiled anew for each
 * revision: ~0.5 ms of backend CPU per revision, about what the rest of
 * the step's own statements cost (issue 13, doc/performance.md). As a
 * plpgsql function in pg_temp it is compiled once per session, its
 * queries' plans cached. The function is (re)created at the start of each
 * plan, so a revision that dropped it (DISCARD TEMP) fails only its own
 * plan; where it cannot be created (no TEMPORARY privilege on the
 * database: SPEC §3's minimal role), the DO block serves as before.
 */

struct guard_wait {
	void (*done)(void *);
	void *arg;
};

static int guard_pid;		/* lock session backend that has it, or 0 */

static void
guard_on_create(struct db *db, const struct db_result *r, void *arg)
{
	struct guard_wait *w = arg;

	if (!r->conn_lost && r->failed < 0 && r->res[1] != NULL &&
	    strcmp(PQgetvalue(r->res[1], 0, 0), "t") == 0) {
		guard_pid = db_backend_pid(db);
		log_debug("guard: pg_temp.migrated_guard() on backend %d",
		    guard_pid);
	} else if (!r->conn_lost)
		log_debug("guard: a DO block per step (%s)", r->failed >= 0 ?
		    PQresultErrorMessage(r->err) : "no TEMPORARY privilege");
	w->done(w->arg);
	free(w);
}

void
guard_prepare(void (*done)(void *), void *arg)
{
	struct guard_wait *w = xcalloc(1, sizeof *w);
	struct db_query q[2];
	char *check, *sql;
	int r;

	w->done = done;
	w->arg = arg;
	guard_pid = 0;
	/*
	 * The DO block's body, "DO $migrated$...$migrated$", as a function,
	 * created only with the privilege (no error in the server's log).
	 */
	check = leader_check_sql();
	sql = xasprintf("DO $guard$BEGIN IF pg_catalog.has_database_privilege("
	    "pg_catalog.current_database(), 'TEMPORARY') THEN "
	    "CREATE OR REPLACE FUNCTION pg_temp.migrated_guard() "
	    "RETURNS void LANGUAGE plpgsql AS %s; END IF; END$guard$",
	    check + strlen("DO "));
	memset(q, 0, sizeof q);
	q[0].sql = sql;
	q[1].sql = "SELECT pg_catalog.to_regprocedure("
	    "'pg_temp.migrated_guard()') IS NOT NULL";
	r = db_batch(D->lockdb, true, 2, q, guard_on_create, w);
	free(sql);
	free(check);
	if (r < 0) {
		free(w);
		done(arg);
	}
}

void
guard_add(struct rsql_batch *b)
{
	char *check;

	if (guard_pid != 0 && guard_pid == db_backend_pid(D->lockdb)) {
		rsql_add(b, "SELECT pg_temp.migrated_guard()", 0);
		return;
	}
	check = leader_check_sql();
	rsql_add(b, check, 0);
	free(check);
}
