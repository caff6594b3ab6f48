/* SPDX-License-Identifier: MIT */
/* state.c: the read session and the in-memory status it keeps fresh. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

struct refresh_cb {
	void (*fn)(void *, bool);
	void *arg;
	struct refresh_cb *next;
};

static struct reconnect readrc;		/* periodic refresh / reconnect */
static bool refreshing;
static bool refresh_again;
static uint64_t refreshed_ms;		/* when a refresh last succeeded */
static struct refresh_cb *cbs_now;	/* for the refresh in flight */
static struct refresh_cb *cbs_next;	/* for the one after it */
static char marker[64];


/* for state_on_ignored() */
static char what_cancel[] = "pg_cancel_backend";
static char what_marker[] = "setting the session marker";

static void
state_run_cbs(struct refresh_cb *list, bool ok)
{
	struct refresh_cb *c, *next;

	for (c = list; c != NULL; c = next) {
		next = c->next;
		c->fn(c->arg, ok);
		free(c);
	}
}

/*
 * Revisions whose recorded checksum differs from their file's, in node
 * order: found once per read of the checksums and set of files, not at
 * every recompute (a search per applied revision made each step of an
 * upgrade O(revisions log revisions)). ckdiff_rs holds a reference, so a
 * new set never reuses its address.
 */
static struct revset *ckdiff_rs;
static size_t *ckdiff_v, ckdiff_n;
static bool ckdiff_stale = true;

static void
state_free_rows(void)
{
	size_t i;

	for (i = 0; i < D->st.nrows; i++)
		free(D->st.rows[i]);
	free(D->st.rows);
	D->st.rows = NULL;
	D->st.nrows = 0;
	for (i = 0; i < D->st.nck; i++) {
		free(D->st.ck_rev[i]);
		free(D->st.ck_sum[i]);
	}
	free(D->st.ck_rev);
	free(D->st.ck_sum);
	D->st.ck_rev = D->st.ck_sum = NULL;
	D->st.nck = 0;
	ckdiff_stale = true;
}

void
state_init(void)
{
	D->st.leader = json_null();
	D->st.dirty_info = json_null();
	D->st.last_error = json_null();
	D->st.drift = json_array();
	D->st.state = RG_UNKNOWN;
}

size_t *
state_rows_idx(size_t *n)
{
	return revset_rows_idx(D->rs, D->st.rows, D->st.nrows, n);
}

/* ck_rev is sorted by strcmp (state_parse_checksums): binary search. */
static const char *
state_checksum_of(const char *rev)
{
	size_t lo = 0, hi = D->st.nck, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(D->st.ck_rev[mid], rev)) == 0)
			return D->st.ck_sum[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * The upgrade plan to the heads that the status lists as pending, made
 * when first asked for after a change: a plan is O(revisions), and a
 * running upgrade changes the rows every step (issue 13: the daemon's CPU
 * per revision). Kept as node indices; JSON only for who needs it.
 */
static size_t *pend_v;
static size_t pend_n;
static bool pending_stale = true;

const size_t *
state_pending_idx(size_t *n)
{
	const struct revgraph *g = D->rs->g;
	struct rg_plan plan = { 0 };
	struct merr err = { 0 };
	size_t *cur, ncur, i;

	if (pending_stale) {
		pending_stale = false;
		free(pend_v);
		pend_v = NULL;
		pend_n = 0;
		if (D->st.read && D->st.state == RG_BEHIND) {
			cur = state_rows_idx(&ncur);
			if (revgraph_plan(g, true, cur, ncur, g->heads,
			    g->nheads, &plan, &err) == 0 && plan.n > 0) {
				pend_v = xcalloc(plan.n, sizeof *pend_v);
				for (i = 0; i < plan.n; i++)
					pend_v[i] = plan.v[i].rev;
				pend_n = plan.n;
			}
			rg_plan_clear(&plan);
			merr_clear(&err);
			free(cur);
		}
	}
	*n = pend_n;
	return pend_v;
}

size_t
state_pending_count(bool *any_empty)
{
	const size_t *v;
	size_t n, i;

	v = state_pending_idx(&n);
	if (any_empty != NULL) {
		*any_empty = false;
		for (i = 0; i < n; i++)
			if (revgraph_is_empty(D->rs->g, v[i]))
				*any_empty = true;
	}
	return n;
}

json_t *
state_pending_entry(size_t k)
{
	const struct revgraph *g = D->rs->g;
	const struct migfile *mf = g->nodes[k].mf;
	json_t *e = json_object();

	json_object_set_new(e, "revision", json_string(mf->revision));
	json_object_set_new(e, "message", json_string(mf->message));
	if (revgraph_is_empty(g, k)) {
		json_object_set_new(e, "empty", json_true());
		json_object_set_new(e, "file", json_string(mf->path));
	}
	return e;
}

json_t *
state_pending_json(void)
{
	const size_t *v;
	size_t n, i;
	json_t *a = json_array();

	v = state_pending_idx(&n);
	for (i = 0; i < n; i++)
		json_array_append_new(a, state_pending_entry(v[i]));
	return a;
}

static int
state_cmp_idx(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void
state_ckdiff(void)
{
	const struct revgraph *g = D->rs->g;
	ssize_t x;
	size_t i;

	if (!ckdiff_stale && ckdiff_rs == D->rs)
		return;
	revset_unref(ckdiff_rs);
	ckdiff_rs = revset_ref(D->rs);
	ckdiff_stale = false;
	free(ckdiff_v);
	ckdiff_v = xcalloc(D->st.nck + 1, sizeof *ckdiff_v);
	ckdiff_n = 0;
	for (i = 0; i < D->st.nck; i++)
		if (D->st.ck_sum[i] != NULL &&
		    (x = revgraph_find(g, D->st.ck_rev[i])) >= 0 &&
		    strcmp(D->st.ck_sum[i], g->nodes[x].mf->checksum) != 0)
			ckdiff_v[ckdiff_n++] = (size_t)x;
	qsort(ckdiff_v, ckdiff_n, sizeof *ckdiff_v, state_cmp_idx);
}

/* Derive state and drift from the rows and the files; pending on demand. */
void
state_recompute(void)
{
	const struct revgraph *g = D->rs->g;
	const struct migfile *mf;
	size_t *cur, ncur, i;
	bool *applied;
	const char *ck;
	json_t *e;

	status_invalidate();
	pending_stale = true;
	json_decref(D->st.drift);
	D->st.drift = json_array();
	if (!D->st.read) {
		D->st.state = RG_UNKNOWN;
		return;
	}
	D->st.state = revgraph_state(g, (const char *const *)D->st.rows,
	    D->st.nrows);
	if (D->st.dirty)
		D->st.state = RG_DIRTY;
	state_ckdiff();
	if (ckdiff_n == 0)
		return;
	cur = state_rows_idx(&ncur);
	applied = xcalloc(g->n + 1, sizeof *applied);
	revgraph_closure(g, cur, ncur, applied);
	for (i = 0; i < ckdiff_n; i++) {
		mf = g->nodes[ckdiff_v[i]].mf;
		if (!applied[ckdiff_v[i]])
			continue;
		ck = state_checksum_of(mf->revision);
		e = json_object();
		json_object_set_new(e, "revision", json_string(mf->revision));
		json_object_set_new(e, "file", json_string(mf->path));
		json_object_set_new(e, "recorded", json_string(ck));
		json_object_set_new(e, "actual", json_string(mf->checksum));
		json_array_append_new(D->st.drift, e);
	}
	free(applied);
	free(cur);
}

static void
state_set_error(const char *why)
{
	free(D->read_error);
	/* libpq's first line: the others repeat it per host or add hints */
	D->read_error = why != NULL ? xstrndup(why, strcspn(why, "\n")) :
	    NULL;
}

static void
state_refresh_done(bool ok)
{
	struct refresh_cb *list = cbs_now;

	refreshing = false;
	cbs_now = NULL;
	if (ok) {
		refreshed_ms = now_ms();
		iso_time(D->st.as_of, sizeof D->st.as_of);
		D->st.read = true;
		state_recompute();
		daemon_status_changed();
		op_waiters_check();
	}
	state_run_cbs(list, ok);
	if (refresh_again || cbs_next != NULL) {
		refresh_again = false;
		state_refresh();
	}
}

static void
state_parse_rows(const PGresult *res)
{
	int i, n = PQntuples(res);

	D->st.rows = xcalloc(n + 1, sizeof *D->st.rows);
	for (i = 0; i < n; i++)
		D->st.rows[i] = xstrdup(PQgetvalue(res, i, 0));
	D->st.nrows = n;
}

/*
 * Is the running row of res (state_on_exists' dirty query) a step that
 * a live daemon is running now? By its instance id (SPEC §3): ours while
 * our runner is in that step, another's while that daemon holds the lock.
 * A row of a version before instance ids matches an old leader's
 * application_name "migrated@HOST:PID" as that version did.
 */
static bool
state_running_live(const PGresult *res)
{
	const char *app, *inst;
	char holder[INSTANCE_LEN + 1], *own;
	bool live;

	app = json_string_value(json_object_get(D->st.leader,
	    "application_name"));
	if (!PQgetisnull(res, 0, 7)) {
		inst = PQgetvalue(res, 0, 7);
		if (strcmp(inst, D->instance) == 0)
			return runner_running_nt(PQgetvalue(res, 0, 0));
		return instance_of_app(app, holder) &&
		    strcmp(holder, inst) == 0;
	}
	if (app == NULL || instance_of_app(app, holder))
		return false;
	own = xasprintf("migrated@%s:%s", PQgetvalue(res, 0, 5),
	    PQgetvalue(res, 0, 6));
	live = strncmp(app, own, 63) == 0;
	free(own);
	return live;
}

static void
state_parse_dirty(const PGresult *res)
{
	json_t *o;

	json_decref(D->st.dirty_info);
	D->st.dirty_info = json_null();
	D->st.dirty = false;
	if (PQntuples(res) < 1)
		return;
	if (strcmp(PQgetvalue(res, 0, 3), "running") == 0 &&
	    state_running_live(res))
		return;		/* in progress, not dirty */
	o = json_object();
	json_object_set_new(o, "revision", json_string(PQgetvalue(res, 0, 0)));
	json_object_set_new(o, "operation", json_string(PQgetvalue(res, 0, 1)));
	json_object_set_new(o, "started_at",
	    json_string(PQgetvalue(res, 0, 2)));
	json_object_set_new(o, "outcome", json_string(PQgetvalue(res, 0, 3)));
	json_object_set_new(o, "error", PQgetisnull(res, 0, 4) ? json_null() :
	    json_string(PQgetvalue(res, 0, 4)));
	D->st.dirty_info = o;
	D->st.dirty = true;
}

/* The last failed step no later step of its revision undid (item 2). */
static void
state_parse_last_error(const PGresult *res)
{
	struct merr e = { 0 };
	json_t *o;

	json_decref(D->st.last_error);
	D->st.last_error = json_null();
	if (PQntuples(res) < 1)
		return;
	merr_parse_history_text(PQgetisnull(res, 0, 2) ? "" :
	    PQgetvalue(res, 0, 2), &e);
	o = json_pack("{s:s, s:s, s:s?, s:i, s:s?, s:s, s:s?, s:s?, s:s, "
	    "s:s, s:s, s:s}", "revision", PQgetvalue(res, 0, 0), "operation",
	    PQgetvalue(res, 0, 1), "file", e.file, "line", e.line,
	    "sqlstate", e.sqlstate, "message", e.message != NULL ? e.message :
	    "", "detail", e.detail, "hint", e.hint, "error",
	    PQgetvalue(res, 0, 2), "at", PQgetvalue(res, 0, 3),
	    "requested_by", PQgetvalue(res, 0, 4), "host",
	    PQgetvalue(res, 0, 5));
	merr_clear(&e);
	D->st.last_error = o != NULL ? o : json_null();
}

static const PGresult *state_ck_res;	/* for state_ck_cmp() */

static int
state_ck_cmp(const void *a, const void *b)
{
	return strcmp(PQgetvalue(state_ck_res, *(const int *)a, 0),
	    PQgetvalue(state_ck_res, *(const int *)b, 0));
}

/*
 * Sorted by revision as strcmp() sees it, so that state_checksum_of() can
 * search (a linear search made every recompute O(revisions^2)). The query
 * orders by COLLATE "C" already; sorting here keeps the search right
 * whatever the server sends.
 */
static void
state_parse_checksums(const PGresult *res)
{
	int i, n = PQntuples(res), *idx;

	idx = xcalloc(n + 1, sizeof *idx);
	for (i = 0; i < n; i++)
		idx[i] = i;
	state_ck_res = res;
	qsort(idx, n, sizeof *idx, state_ck_cmp);
	state_ck_res = NULL;
	D->st.ck_rev = xcalloc(n + 1, sizeof(char *));
	D->st.ck_sum = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		D->st.ck_rev[i] = xstrdup(PQgetvalue(res, idx[i], 0));
		D->st.ck_sum[i] = PQgetisnull(res, idx[i], 1) ? NULL :
		    xstrdup(PQgetvalue(res, idx[i], 1));
	}
	D->st.nck = n;
	ckdiff_stale = true;
	free(idx);
}

static void
state_on_tables(struct db *db, const struct db_result *r, void *arg)
{
	bool have_vt = (bool)(intptr_t)arg;
	size_t k = 0;

	if (r->conn_lost || r->failed >= 0) {
		if (!r->conn_lost)
			log_warn("cannot read the version table: %s, ignoring",
			    PQresultErrorMessage(r->err));
		state_refresh_done(false);
		return;
	}
	state_free_rows();
	if (have_vt)
		state_parse_rows(r->res[k++]);
	if (D->st.have_history) {
		/* the leader first: the dirty check compares with it */
		state_parse_checksums(r->res[k + 1]);
		state_parse_dirty(r->res[k]);
		state_parse_last_error(r->res[k + 2]);
	} else {
		json_decref(D->st.dirty_info);
		D->st.dirty_info = json_null();
		D->st.dirty = false;
	}
	state_refresh_done(true);
}

static void
state_parse_leader(const PGresult *res)
{
	char inst[INSTANCE_LEN + 1];
	json_t *o;

	json_decref(D->st.leader);
	if (PQntuples(res) < 1) {
		D->st.leader = json_null();
		return;
	}
	o = json_object();
	json_object_set_new(o, "pid",
	    json_integer(strtol(PQgetvalue(res, 0, 0), NULL, 10)));
	json_object_set_new(o, "host", json_string(PQgetvalue(res, 0, 2)));
	json_object_set_new(o, "application_name",
	    json_string(PQgetvalue(res, 0, 1)));
	json_object_set_new(o, "instance", instance_of_app(PQgetvalue(res,
	    0, 1), inst) ? json_string(inst) : json_null());
	D->st.leader = o;
}

static void
state_on_exists(struct db *db, const struct db_result *r, void *arg)
{
	struct db_query q[4];
	char *rows = NULL, *dirty = NULL, *ck = NULL, *lasterr = NULL;
	bool have_vt;
	size_t n = 0;

	if (r->conn_lost || r->failed >= 0) {
		if (!r->conn_lost)
			log_warn("status refresh failed: %s, ignoring",
			    PQresultErrorMessage(r->err));
		state_refresh_done(false);
		return;
	}
	have_vt = strcmp(PQgetvalue(r->res[0], 0, 0), "t") == 0;
	D->st.have_history = strcmp(PQgetvalue(r->res[0], 0, 1), "t") == 0;
	state_parse_leader(r->res[1]);
	memset(q, 0, sizeof q);
	if (have_vt) {
		rows = xasprintf("SELECT version_num FROM %s ORDER BY "
		    "version_num COLLATE \"C\"", D->vt);
		q[n++].sql = rows;
	}
	if (D->st.have_history) {
		/* a table of an older version has no instance (yet) */
		dirty = xasprintf("SELECT revision, operation, started_at, "
		    "outcome, error, host, pid, %s FROM %s h WHERE NOT "
		    "transactional AND outcome <> 'ok' AND operation IN "
		    "('upgrade', 'downgrade') AND NOT EXISTS (SELECT 1 FROM "
		    "%s r WHERE r.id > h.id AND r.revision COLLATE \"C\" = "
		    "h.revision AND "
		    "r.operation = 'resolve') ORDER BY id DESC LIMIT 1",
		    strcmp(PQgetvalue(r->res[0], 0, 2), "t") == 0 ?
		    "instance" : "NULL::text", D->ht, D->ht);
		ck = xasprintf("SELECT DISTINCT ON (revision COLLATE \"C\") "
		    "revision, checksum FROM %s WHERE outcome = 'ok' AND "
		    "operation IN ('upgrade', 'stamp', 'resolve') ORDER BY "
		    "revision COLLATE \"C\", id DESC", D->ht);
		lasterr = xasprintf("SELECT revision, operation, error, "
		    "to_char(finished_at AT TIME ZONE 'UTC', "
		    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), requested_by, host "
		    "FROM %s h WHERE outcome = 'failed' AND operation IN "
		    "('upgrade', 'downgrade') AND NOT EXISTS (SELECT 1 FROM %s "
		    "r WHERE r.id > h.id AND r.revision COLLATE \"C\" = "
		    "h.revision AND r.outcome = 'ok') ORDER BY id DESC LIMIT 1",
		    D->ht, D->ht);
		q[n++].sql = dirty;
		q[n++].sql = ck;
		q[n++].sql = lasterr;
	}
	if (n == 0) {
		state_free_rows();
		json_decref(D->st.dirty_info);
		D->st.dirty_info = json_null();
		D->st.dirty = false;
		state_refresh_done(true);
	} else if (db_batch(db, true, n, q, state_on_tables,
	    (void *)(intptr_t)have_vt) < 0)
		state_refresh_done(false);
	free(rows);
	free(dirty);
	free(ck);
	free(lasterr);
}

void
state_refresh(void)
{
	struct db_query q[2];
	char hi[16], lo[16];
	const char *p1[2] = { D->vt_reg, D->ht_reg };
	const char *p2[2] = { hi, lo };
	uint64_t k = (uint64_t)D->lock_key;

	if (refreshing) {
		refresh_again = true;
		return;
	}
	if (!db_is_up(D->readdb)) {
		state_run_cbs(cbs_next, false);
		cbs_next = NULL;
		return;
	}
	refreshing = true;
	cbs_now = cbs_next;
	cbs_next = NULL;
	snprintf(hi, sizeof hi, "%" PRIu32, (uint32_t)(k >> 32));
	snprintf(lo, sizeof lo, "%" PRIu32, (uint32_t)(k & 0xffffffffu));
	memset(q, 0, sizeof q);
	q[0].sql = "SELECT to_regclass($1) IS NOT NULL, "
	    "to_regclass($2) IS NOT NULL, EXISTS (SELECT 1 FROM "
	    "pg_catalog.pg_attribute WHERE attrelid = to_regclass($2) AND "
	    "attname = 'instance' AND NOT attisdropped)";
	q[0].nparams = 2;
	q[0].params = p1;
	q[1].sql = "SELECT a.pid, a.application_name, "
	    "coalesce(host(a.client_addr), 'local') FROM pg_catalog.pg_locks l "
	    "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
	    "WHERE l.locktype = 'advisory' AND l.granted AND "
	    "l.classid = $1::bigint AND l.objid = $2::bigint AND "
	    "l.objsubid = 1 AND l.database = (SELECT oid FROM "
	    "pg_catalog.pg_database WHERE datname = current_database())";
	q[1].nparams = 2;
	q[1].params = p2;
	if (db_batch(D->readdb, true, 2, q, state_on_exists, NULL) < 0)
		state_refresh_done(false);
}

void
state_refresh_then(void (*fn)(void *, bool), void *arg)
{
	struct refresh_cb *c;

	c = xcalloc(1, sizeof *c);
	c->fn = fn;
	c->arg = arg;
	c->next = cbs_next;
	cbs_next = c;
	if (!db_is_up(D->readdb)) {
		cbs_next = NULL;
		state_run_cbs(c, false);
		return;
	}
	state_refresh();
}

/*
 * Memory is what a refresh would read, as far as anyone said: read within
 * refresh_interval, on a session that LISTENs, with no refresh asked for
 * since (another daemon's NOTIFY asks for one). Only a foreign writer
 * (alembic, psql) can have changed the database unannounced.
 */
static bool
state_known_fresh(void)
{
	return D->st.read && D->read_connected && !refreshing &&
	    !refresh_again && cbs_next == NULL &&
	    now_ms() - refreshed_ms < (uint64_t)D->cfg.refresh_interval_ms;
}

/* A version-rows check in flight; state_forget() cancels it (fn NULL). */
struct rows_check {
	void (*fn)(void *, bool);
	void *arg;
	struct rows_check *next;
};
static struct rows_check *checks;

static void
state_on_rows_check(struct db *db, const struct db_result *r, void *arg)
{
	struct rows_check *rc = arg, **pp;
	const PGresult *res = r->res != NULL ? r->res[0] : NULL;
	bool same = !r->conn_lost && r->failed < 0 && res != NULL &&
	    state_known_fresh() && (size_t)PQntuples(res) == D->st.nrows;
	size_t i;

	for (pp = &checks; *pp != rc; pp = &(*pp)->next)
		;
	*pp = rc->next;
	for (i = 0; same && i < D->st.nrows; i++)
		same = strcmp(PQgetvalue(res, (int)i, 0), D->st.rows[i]) == 0;
	if (rc->fn == NULL)
		;	/* its request is gone */
	else if (same)
		rc->fn(rc->arg, true);
	else
		state_refresh_then(rc->fn, rc->arg);
	free(rc);
}

/*
 * Like state_refresh_then(), in one round trip when memory is known
 * fresh: only the version rows are read, and fn runs at once if they are
 * the ones in memory (a plan made from them is checked again inside its
 * transaction anyway); otherwise, a full refresh first.
 */
void
state_rows_then(void (*fn)(void *, bool), void *arg)
{
	struct rows_check *rc;
	char *sql;
	int r;

	if (!state_known_fresh()) {
		state_refresh_then(fn, arg);
		return;
	}
	rc = xcalloc(1, sizeof *rc);
	rc->fn = fn;
	rc->arg = arg;
	rc->next = checks;
	checks = rc;
	sql = xasprintf("SELECT version_num FROM %s ORDER BY version_num "
	    "COLLATE \"C\"", D->vt);
	r = db_query1(D->readdb, sql, 0, NULL, state_on_rows_check, rc);
	free(sql);
	if (r < 0) {
		checks = rc->next;
		free(rc);
		state_refresh_then(fn, arg);
	}
}

void
state_forget(void *arg)
{
	struct refresh_cb **pp, *c;
	struct rows_check *rc;
	int i;

	for (rc = checks; rc != NULL; rc = rc->next)
		if (rc->arg == arg)
			rc->fn = NULL;
	for (i = 0; i < 2; i++) {
		pp = i == 0 ? &cbs_now : &cbs_next;
		while ((c = *pp) != NULL) {
			if (c->arg == arg) {
				*pp = c->next;
				free(c);
			} else
				pp = &c->next;
		}
	}
	if (D->readdb != NULL)
		db_forget(D->readdb, arg);
}

void
state_on_ignored(struct db *db, const struct db_result *r, void *what)
{
	if (!r->conn_lost && r->failed >= 0)
		log_debug("%s failed: %s, ignoring", (const char *)what,
		    PQresultErrorMessage(r->err));
}

int
state_query(const char *sql, int nparams, const char *const *params,
    db_batch_cb cb, void *arg)
{
	return db_query1(D->readdb, sql, nparams, params, cb, arg);
}

void
state_cancel_backend(int pid)
{
	char p[16];
	const char *params[1] = { p };

	snprintf(p, sizeof p, "%d", pid);
	if (state_query("SELECT pg_catalog.pg_cancel_backend($1::int)", 1,
	    params, state_on_ignored, what_cancel) < 0)
		log_warn("cannot cancel backend %d: read session down", pid);
}

static void
state_on_notify(struct db *db, const char *channel, const char *payload,
    void *arg)
{
	log_debug("notification on %s: %s", channel, payload);
	leader_on_notify(payload);
}

static void
state_on_listen(struct db *db, const struct db_result *r, void *arg)
{
	if (!r->conn_lost && r->failed >= 0)
		log_warn("LISTEN failed: %s, ignoring",
		    PQresultErrorMessage(r->err));
}

static void
state_on_connected(struct db *db, void *arg)
{
	log_info("connected to database %s (read session)", PQdb(db_pg(db)));
	reconnect_up(&readrc);
	D->read_connected = true;
	state_set_error(NULL);
	if (!D->lock_key_known)
		leader_key_init(PQdb(db_pg(db)));
	if (db_query1(db, "LISTEN " NOTIFY_CHANNEL, 0, NULL, state_on_listen,
	    NULL) < 0)
		log_debug("cannot LISTEN");
	/* our own marker: a pooling proxy mixing sessions shows it elsewhere */
	snprintf(marker, sizeof marker, "read:%s:%d", D->app_name,
	    db_backend_pid(db));
	MIG_IGNORE(db_query1(db, "SELECT pg_catalog.set_config("
	    "'migrated.session', $1, false)", 1,
	    (const char *const[]){ marker }, state_on_ignored, what_marker));
	state_refresh();
	leader_announce();
	daemon_status_changed();
	reconnect_at(&readrc, D->cfg.refresh_interval_ms);
}

static void
state_on_lost(struct db *db, const char *why, void *arg)
{
	int ms = reconnect_lost(&readrc);

	if (D->read_connected)
		log_error("database connection lost: %s, retrying in %d ms",
		    why, ms);
	else
		log_warn("cannot connect to the database: %s, retrying in "
		    "%d ms", why, ms);
	D->read_connected = false;
	state_set_error(why);
	refreshing = false;
	state_run_cbs(cbs_now, false);
	cbs_now = NULL;
	daemon_status_changed();
	op_waiters_check();
}

/* The timer fired while the read session is up: refresh. */
static void
state_on_tick(void *arg)
{
	state_refresh();
	leader_tick();
	reconnect_at(&readrc, D->cfg.refresh_interval_ms);
}

void
state_start(void)
{
	static const struct db_callbacks cb = {
		.connected = state_on_connected,
		.lost = state_on_lost,
		.notify = state_on_notify,
	};

	D->readdb = db_new(D->base, "read", &cb, NULL);
	db_set_resolver(D->readdb, D->dns);
	reconnect_init(&readrc, D->readdb, state_on_tick, NULL);
	reconnect_at(&readrc, 0);
}

void
state_stop(void)
{
	reconnect_stop(&readrc);
	state_run_cbs(cbs_now, false);
	state_run_cbs(cbs_next, false);
	cbs_now = cbs_next = NULL;
	if (D->readdb != NULL)
		db_free(D->readdb);
	D->readdb = NULL;
	state_free_rows();
	json_decref(D->st.leader);
	json_decref(D->st.dirty_info);
	json_decref(D->st.last_error);
	free(pend_v);
	pend_v = NULL;
	pend_n = 0;
	pending_stale = true;
	free(ckdiff_v);
	ckdiff_v = NULL;
	ckdiff_n = 0;
	revset_unref(ckdiff_rs);
	ckdiff_rs = NULL;
	ckdiff_stale = true;
	json_decref(D->st.drift);
	D->st.leader = D->st.dirty_info = D->st.drift = NULL;
	D->st.last_error = NULL;
}

void
state_set_rows(char **rows, size_t n)
{
	size_t i;

	for (i = 0; i < D->st.nrows; i++)
		free(D->st.rows[i]);
	free(D->st.rows);
	D->st.rows = xcalloc(n + 1, sizeof(char *));
	for (i = 0; i < n; i++)
		D->st.rows[i] = xstrdup(rows[i]);
	D->st.nrows = n;
	D->st.read = true;
	state_recompute();
}
