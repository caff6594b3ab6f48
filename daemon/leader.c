/* SPDX-License-Identifier: MIT */
/* leader.c: the lock session: advisory lock, standby polling, takeover. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "runner-sql.h"

static struct reconnect lockrc;		/* standby poll / reconnect timer */
static uint64_t handover_until;		/* don't retake the lock before this */
static char *pending_handover_to;
static char marker[128];		/* SET on the lock session per attempt */
static bool pooled;			/* a transaction-pooling proxy was seen */
static char lock_pid[16];		/* backend that took the lock */

static void leader_try_lock(void);
static void leader_on_idle(struct db *, void *);

/* for state_on_ignored() */
static char what_announce[] = "announcing the heads";
static char what_ask[] = "asking for the lock";

bool
leader_is(void)
{
	return D->role == ROLE_LEADER;
}

int
leader_backend_pid(void)
{
	return D->lockdb != NULL ? db_backend_pid(D->lockdb) : 0;
}

/* 64-bit key from the database and the version table's qualified name. */
static int64_t
leader_derive_key(const char *dbname)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t k = 0;
	char *s;
	int i;

	s = xasprintf("migrated:%s:%s.%s", dbname,
	    D->cfg.version_table_schema, D->cfg.version_table);
	if (EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL) != 1)
		fatal("SHA-256 failed");
	free(s);
	for (i = 0; i < 8; i++)
		k = (k << 8) | md[i];
	return (int64_t)k;
}

void
leader_key_init(const char *dbname)
{
	if (!D->lock_key_known) {
		D->lock_key = leader_derive_key(dbname);
		D->lock_key_known = true;
	}
	if (D->dbname == NULL)
		D->dbname = xstrdup(dbname);
}

static void
leader_key_parts(uint32_t *hi, uint32_t *lo)
{
	uint64_t k = (uint64_t)D->lock_key;

	*hi = (uint32_t)(k >> 32);
	*lo = (uint32_t)(k & 0xffffffffu);
}

char *
leader_check_sql(void)
{
	uint32_t hi, lo;

	leader_key_parts(&hi, &lo);
	return xasprintf("DO $migrated$BEGIN "
	    "IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks "
	    "WHERE locktype = 'advisory' AND granted "
	    "AND pid = pg_catalog.pg_backend_pid() "
	    "AND classid = %" PRIu32 " AND objid = %" PRIu32
	    " AND objsubid = 1) THEN "
	    "RAISE EXCEPTION 'migrated: advisory lock %" PRId64 " is not held "
	    "by this session' USING ERRCODE = 'MGLCK'; END IF; "
	    "IF (SELECT coalesce(array_agg(version_num::text ORDER BY "
	    "version_num COLLATE \"C\"), '{}') FROM %s) IS DISTINCT FROM "
	    "pg_catalog.current_setting('migrated.expected_rows')::text[] "
	    "THEN RAISE EXCEPTION 'migrated: the version table "
	    "changed under this plan' USING ERRCODE = 'MGPLN'; END IF; "
	    "END$migrated$", hi, lo, D->lock_key, D->vt);
}

static void
leader_set_role(enum role role, const char *why)
{
	if (D->role == role)
		return;
	D->role = role;
	if (role == ROLE_LEADER)
		log_notice("leader: took advisory lock %" PRId64 " on "
		    "database %s", D->lock_key, D->dbname);
	else
		log_warn("no longer leader: %s", why);
	daemon_status_changed();
}

/* The lock session broke or proved unusable. */
void
leader_lost(const char *why)
{
	bool was = D->role == ROLE_LEADER;

	leader_set_role(ROLE_STANDBY, why);
	runner_abort(why, MERR_NOT_LEADER);
	if (was)
		op_leadership_lost();
	db_close(D->lockdb);
	free(D->lock_error);
	D->lock_error = xstrdup(why);
	(void)reconnect_lost(&lockrc);
}

static void
leader_on_lost(struct db *db, const char *why, void *arg)
{
	if (D->role == ROLE_LEADER)
		log_error("lock session lost: %s", why);
	else
		log_debug("lock session: %s", why);
	leader_lost(why);
}

static void
leader_clear_error(void)
{
	free(D->lock_error);
	D->lock_error = NULL;
}

static void
leader_become(void)
{
	leader_clear_error();
	leader_set_role(ROLE_LEADER, NULL);
	reconnect_up(&lockrc);
	leader_announce();
	state_refresh();
	if (D->cfg.auto_migrate || D->once)
		D->auto_pending = true;
	op_queue_kick();
	daemon_status_changed();
}

/*
 * Is this session really ours? Behind a transaction-pooling proxy each
 * transaction may run on another backend, so a session-level lock proves
 * nothing: the marker we SET with the lock, or the lock, is then missing.
 */
static void
leader_on_refused(struct db *db, const struct db_result *r, void *arg)
{
	db_close(D->lockdb);
	reconnect_at(&lockrc, D->cfg.reconnect_max_interval_ms);
	daemon_status_changed();
}

/*
 * Behind a transaction-pooling proxy each transaction may run on another
 * backend, so a session-level lock proves nothing. Refuse to lead, and
 * free the lock we may have left on a pooled backend: unlock on whatever
 * backend we get now, and end the one that still holds it.
 */
static void
leader_refuse_pooled(const char *why, const char *pid)
{
	struct db_query q[2];
	const char *params[1] = { pid };
	char *term;
	uint32_t hi, lo;

	pooled = true;
	log_error("refusing to lead: %s, so a session-level advisory lock "
	    "cannot be trusted on this connection; connect directly or "
	    "through a session-pooling proxy, not a transaction-pooling one "
	    "such as PgBouncer with pool_mode = transaction", why);
	free(D->lock_error);
	D->lock_error = xstrdup("the connection goes through a "
	    "transaction-pooling proxy: session-level advisory locks cannot "
	    "be trusted");
	leader_key_parts(&hi, &lo);
	term = xasprintf("SELECT pg_catalog.pg_terminate_backend(l.pid) FROM "
	    "pg_catalog.pg_locks l WHERE l.locktype = 'advisory' AND "
	    "l.classid = %" PRIu32 " AND l.objid = %" PRIu32 " AND "
	    "l.objsubid = 1 AND l.pid = $1::int AND l.pid <> "
	    "pg_catalog.pg_backend_pid()", hi, lo);
	memset(q, 0, sizeof q);
	q[0].sql = "SELECT pg_catalog.pg_advisory_unlock_all()";
	q[1].sql = term;
	q[1].nparams = 1;
	q[1].params = params;
	if (pid == NULL ||
	    db_batch(D->lockdb, true, 2, q, leader_on_refused, NULL) < 0) {
		if (db_batch(D->lockdb, true, 1, q, leader_on_refused,
		    NULL) < 0)
			leader_on_refused(NULL, NULL, NULL);
	}
	free(term);
}

static void
leader_on_verify(struct db *db, const struct db_result *r, void *arg)
{
	const PGresult *res;

	if (r->conn_lost)
		return;
	res = r->res[0];
	if (r->failed >= 0 || PQntuples(res) != 1 ||
	    strcmp(PQgetvalue(res, 0, 0), "t") != 0 ||
	    strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
		leader_refuse_pooled("the lock session does not keep its own "
		    "backend between transactions (the session marker or the "
		    "lock moved)", lock_pid[0] != '\0' ? lock_pid : NULL);
		return;
	}
	leader_become();
}

static void
leader_verify(void)
{
	char *sql;
	const char *params[1] = { marker };
	uint32_t hi, lo;

	leader_key_parts(&hi, &lo);
	sql = xasprintf("SELECT current_setting('migrated.session', true) = "
	    "$1, EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = "
	    "'advisory' AND granted AND pid = pg_catalog.pg_backend_pid() "
	    "AND classid = %" PRIu32 " AND objid = %" PRIu32 " AND objsubid "
	    "= 1)", hi, lo);
	if (db_query1(D->lockdb, sql, 1, params, leader_on_verify, NULL) < 0)
		leader_lost("lock session down");
	free(sql);
}

/*
 * The read session is another client. If its next transaction runs on the
 * very backend that took our lock, the proxy hands backends from client
 * to client per transaction: a transaction-pooling proxy.
 */
static void
leader_on_probe(struct db *db, const struct db_result *r, void *arg)
{
	if (D->lockdb == NULL || !db_is_up(D->lockdb) || leader_is())
		return;
	if (!r->conn_lost && r->failed < 0 && PQntuples(r->res[0]) == 1 &&
	    strcmp(PQgetvalue(r->res[0], 0, 0), lock_pid) == 0) {
		leader_refuse_pooled("another client's transaction ran on the "
		    "backend that holds this session's lock", lock_pid);
		return;
	}
	leader_verify();
}

/* The state tables are usable (why NULL), or this role cannot lead. */
static void
leader_on_tables(const char *why)
{
	if (why != NULL) {
		log_error("cannot lead: %s", why);
		leader_lost(why);
		return;
	}
	if (!D->read_connected || state_query("SELECT "
	    "pg_catalog.pg_backend_pid()", 0, NULL, leader_on_probe, NULL) < 0)
		leader_verify();
}

static void
leader_on_trylock(struct db *db, const struct db_result *r, void *arg)
{
	const PGresult *res;

	if (r->conn_lost)
		return;
	if (r->failed >= 0) {
		log_error("pg_try_advisory_lock failed: %s",
		    PQresultErrorMessage(r->err));
		leader_lost("cannot take the lock");
		return;
	}
	if (PQntuples(r->res[1]) == 1 &&
	    strcmp(PQgetvalue(r->res[1], 0, 0), "t") == 0) {
		/* we never locked on this session: another client's state */
		leader_refuse_pooled("this session's backend already held the "
		    "lock before it asked for it (another client's session "
		    "state)", NULL);
		return;
	}
	res = r->res[2];
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		snprintf(lock_pid, sizeof lock_pid, "%s", PQgetvalue(res, 0, 1));
		log_debug("advisory lock taken by backend %s", lock_pid);
		tables_ensure(D->lockdb, leader_on_tables);
		return;
	}
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 2), "t") == 0) {
		/* a server in recovery can never be written: look again */
		leader_lost("the server is in recovery (a standby)");
		return;
	}
	if (!pooled)
		leader_clear_error();	/* a plain standby: another leads */
	reconnect_at(&lockrc, D->cfg.standby_poll_interval_ms);
}

/*
 * One transaction: set this attempt's session marker (a session-level
 * SET, so that the verification, a later transaction, finds it only on
 * the same backend; set at every attempt because the runner's RESET ALL
 * clears it), check that the backend does not hold the lock already, and
 * try it.
 */
static void
leader_try_lock(void)
{
	static unsigned int attempt;
	char key[32], *held;
	const char *params[1] = { key };
	const char *mparams[1] = { marker };
	struct db_query q[3];
	uint32_t hi, lo;
	int r;

	if (now_ms() < handover_until) {
		reconnect_at(&lockrc, (int)(handover_until - now_ms()));
		return;
	}
	snprintf(key, sizeof key, "%" PRId64, D->lock_key);
	leader_key_parts(&hi, &lo);
	held = xasprintf("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks "
	    "WHERE locktype = 'advisory' AND granted AND pid = "
	    "pg_catalog.pg_backend_pid() AND classid = %" PRIu32 " AND objid "
	    "= %" PRIu32 " AND objsubid = 1)", hi, lo);
	snprintf(marker, sizeof marker, "lock:%s:%d:%u", D->app_name,
	    db_backend_pid(D->lockdb), ++attempt);
	memset(q, 0, sizeof q);
	q[0].sql = "SELECT pg_catalog.set_config('migrated.session', $1, "
	    "false)";
	q[0].nparams = 1;
	q[0].params = mparams;
	q[1].sql = held;
	/* never leads while pg_is_in_recovery(): the lock is not tried */
	q[2].sql = "SELECT CASE WHEN pg_catalog.pg_is_in_recovery() THEN "
	    "false ELSE pg_catalog.pg_try_advisory_lock($1::bigint) END, "
	    "pg_catalog.pg_backend_pid(), pg_catalog.pg_is_in_recovery()";
	q[2].nparams = 1;
	q[2].params = params;
	lock_pid[0] = '\0';
	r = db_batch(D->lockdb, true, 3, q, leader_on_trylock, NULL);
	free(held);
	if (r < 0)
		leader_lost("lock session down");
}

static void
leader_on_connected(struct db *db, void *arg)
{
	const char *dbname = PQdb(db_pg(db));

	log_debug("lock session connected (backend %d)", db_backend_pid(db));
	leader_key_init(dbname);
	leader_try_lock();
}

/* The timer fired while the lock session is up: a standby's poll. */
static void
leader_on_tick(void *arg)
{
	if (D->role != ROLE_LEADER && db_is_idle(D->lockdb))
		leader_try_lock();
}

void
leader_start(void)
{
	static const struct db_callbacks cb = {
		.connected = leader_on_connected,
		.lost = leader_on_lost,
		.idle = leader_on_idle,
	};
	char *end;

	if (D->cfg.lock_key != NULL) {
		D->lock_key = strtoll(D->cfg.lock_key, &end, 10);
		D->lock_key_known = true;
	}
	D->lockdb = db_new(D->base, "lock", &cb, NULL);
	db_set_resolver(D->lockdb, D->dns);
	reconnect_init(&lockrc, D->lockdb, leader_on_tick, NULL);
	reconnect_at(&lockrc, 0);
}

void
leader_stop(void)
{
	reconnect_stop(&lockrc);
	/* closing the session releases the session-level lock */
	if (D->lockdb != NULL)
		db_free(D->lockdb);
	D->lockdb = NULL;
	if (D->role == ROLE_LEADER)
		log_notice("released the advisory lock");
	D->role = ROLE_STANDBY;
	free(pending_handover_to);
	pending_handover_to = NULL;
}

/* Tell the other daemons which heads our files have. */
void
leader_announce(void)
{
	json_t *o;
	char *payload;
	const char *params[1];

	if (D->rs == NULL || !D->read_connected)
		return;
	o = json_object();
	json_object_set_new(o, "type", json_string("heads"));
	json_object_set_new(o, "app", json_string(D->app_name));
	json_object_set_new(o, "leader", json_boolean(leader_is()));
	json_object_set_new(o, "heads", revset_ids_json(D->rs,
	    D->rs->g->heads, D->rs->g->nheads));
	payload = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (payload == NULL || strlen(payload) > 7000) {
		free(payload);
		return;	/* NOTIFY payloads stop at 8000 bytes */
	}
	params[0] = payload;
	if (state_query("SELECT pg_catalog.pg_notify('" NOTIFY_CHANNEL "', $1)",
	    1, params, state_on_ignored, what_announce) < 0)
		log_debug("cannot announce heads");
	free(payload);
}

static void
leader_on_unlocked(struct db *db, const struct db_result *r, void *arg)
{
	if (r->conn_lost)
		return;		/* leader_on_lost() did it all */
	if (r->failed >= 0) {
		log_warn("cannot hand the lock over: %s, keeping it",
		    PQresultErrorMessage(r->err));
		handover_until = 0;
		op_queue_kick();
		return;
	}
	leader_set_role(ROLE_STANDBY, "handed the lock to a daemon with "
	    "newer migrations");
	/* what was queued meanwhile goes to the new leader */
	op_leadership_lost();
	reconnect_at(&lockrc, D->cfg.standby_poll_interval_ms);
}

/* The lock session went idle: the change queue may go on. */
static void
leader_on_idle(struct db *db, void *arg)
{
	op_queue_kick();
}

/* Do our files strictly contain every head another daemon announced? */
static bool
leader_we_are_newer(const json_t *heads)
{
	bool *applied, newer = false;
	size_t i, *idx, n = 0, k;
	ssize_t x;
	json_t *h;

	idx = xcalloc(json_array_size(heads) + 1, sizeof *idx);
	json_array_foreach(heads, i, h) {
		if (!json_is_string(h) ||
		    (x = revgraph_find(D->rs->g, json_string_value(h))) < 0) {
			free(idx);
			return false;	/* it knows revisions we don't */
		}
		idx[n++] = (size_t)x;
	}
	applied = xcalloc(D->rs->g->n + 1, sizeof *applied);
	revgraph_closure(D->rs->g, idx, n, applied);
	for (k = 0; k < D->rs->g->n; k++)
		if (!applied[k])
			newer = true;
	free(applied);
	free(idx);
	return newer;
}

/* Periodic: repeat an unanswered handover request (the leader was busy). */
void
leader_tick(void)
{
	const char *params[1] = { pending_handover_to };

	if (pending_handover_to == NULL)
		return;
	if (leader_is()) {
		free(pending_handover_to);
		pending_handover_to = NULL;
		return;
	}
	MIG_IGNORE(state_query("SELECT pg_catalog.pg_notify('" NOTIFY_CHANNEL
	    "', $1)", 1, params, state_on_ignored, what_ask));
}

void
leader_on_notify(const char *payload)
{
	json_t *o, *type, *app;
	const char *t, *a, *to;
	char key[32];
	const char *params[1] = { key };

	/* our own step's notice, every step of a plan: no need to parse it */
	if (strcmp(payload, rsql_notify_payload()) == 0)
		return;
	if ((o = json_loads(payload, 0, NULL)) == NULL)
		return;
	type = json_object_get(o, "type");
	app = json_object_get(o, "app");
	t = json_is_string(type) ? json_string_value(type) : "";
	a = json_is_string(app) ? json_string_value(app) : "";
	if (strcmp(a, D->app_name) == 0) {
		json_decref(o);
		return;		/* our own announcement */
	}
	if (strcmp(t, "heads") == 0) {
		if (leader_is() && !json_is_true(json_object_get(o, "leader")))
			leader_announce();	/* a new standby: answer it */
		else if (!leader_is() &&
		    json_is_true(json_object_get(o, "leader")) &&
		    leader_we_are_newer(json_object_get(o, "heads"))) {
			log_info("leader %s has older migrations; asking it "
			    "to hand over the lock", a);
			json_object_set_new(o, "type", json_string("handover"));
			json_object_set_new(o, "to", json_string(a));
			json_object_set_new(o, "app", json_string(D->app_name));
			free(pending_handover_to);
			pending_handover_to = json_dumps(o, JSON_COMPACT);
			params[0] = pending_handover_to;
			MIG_IGNORE(state_query("SELECT pg_catalog.pg_notify('"
			    NOTIFY_CHANNEL "', $1)", 1, params,
			    state_on_ignored, what_ask));
		}
	} else if (strcmp(t, "handover") == 0 && leader_is()) {
		to = json_string_value(json_object_get(o, "to"));
		if (to != NULL && strcmp(to, D->app_name) == 0 &&
		    D->running == NULL && D->queue_len == 0 &&
		    db_is_idle(D->lockdb)) {
			log_notice("handing the lock over to %s, whose "
			    "migrations are newer", a);
			handover_until = now_ms() + 5000;
			snprintf(key, sizeof key, "%" PRId64, D->lock_key);
			if (db_query1(D->lockdb, "SELECT pg_catalog."
			    "pg_advisory_unlock($1::bigint)", 1, params,
			    leader_on_unlocked, NULL) < 0)
				log_debug("cannot unlock");
		}
	} else if (strcmp(t, "handover") == 0) {
		/*
		 * Another standby asked for the lock: stand back a moment, or
		 * our next poll may grab it first and the newer daemon waits
		 * for the next round (refresh_interval) to ask us in turn.
		 */
		if (handover_until < now_ms() + 2000)
			handover_until = now_ms() + 2000;
	} else if (strcmp(t, "changed") == 0)
		state_refresh();
	json_decref(o);
}
