/* SPDX-License-Identifier: MIT */
/* runner.c: applies a plan step by step on the lock session. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "runner-sql.h"

struct runner {
	struct req *req;
	struct revset *rs;
	struct rg_plan plan;
	size_t *target;		/* what the plan aims at (re-plans too) */
	size_t ntarget;
	size_t step;
	bool up;
	bool atomic;
	bool in_txn;		/* atomic: the transaction is open */
	bool cancelled;
	bool failed_nt;		/* a non-transactional step failed */
	int attempt;
	int retry_ms;		/* backoff before the next attempt */
	int replans;
	struct rowset start;	/* version rows the plan starts from */
	struct rowset rows;	/* version rows as this plan sees them */
	struct rowset next;	/* rows after the current step */
	bool *applied;
	size_t *rowidx, nrowidx;	/* revgraph_rows_of(applied) */
	size_t *nextidx, nnextidx;	/* the same after the current step */
	json_t *from;
	struct runner_done *done;	/* the steps done, for the reply */
	size_t ndone, capdone;
	uint64_t step_start;		/* now_ms(): for durations */
	uint64_t step_wall;		/* wall_ms(): started_at */
	uint64_t plan_start;
	uint64_t published;	/* last state_set_rows() of R->rows */
	struct event *ev_retry;
	struct event *ev_publish;
	/* current step's batch layout */
	size_t first_stmt;	/* batch index of the first migration stmt */
	size_t nstmt;
	/* non-transactional step */
	char *hist_id;
	size_t hist_k;		/* batch index of its INSERT ... RETURNING */
	size_t nt_next;
	struct merr err;
};

static struct runner *R;

static void runner_step(void);
static void runner_nt_next(void);
static void runner_finish(const struct merr *err);
static void runner_replan(void);
static void runner_nt_begin(void);

bool
runner_busy(void)
{
	return R != NULL;
}

static const struct migfile *
runner_mf(void)
{
	return R->rs->g->nodes[R->plan.v[R->step].rev].mf;
}

static const struct split_list *
runner_stmts(void)
{
	const struct migfile *mf = runner_mf();

	return R->up ? &mf->up.stmts : &mf->down_sec.stmts;
}

static const char *
runner_opname(void)
{
	return R->up ? "upgrade" : "downgrade";
}

/*
 * Send the batch b on the lock session and clear it. reset: end it with
 * RESET ALL and RESET ROLE (SPEC §3: nothing a revision SET outlives its
 * step). A session that is down costs the leadership: leader_lost() fails
 * the plan.
 */
static void
runner_send(struct rsql_batch *b, bool pipeline, bool reset, db_batch_cb cb)
{
	if (reset)
		rsql_add_reset(b);
	if (rsql_send(b, D->lockdb, pipeline, cb) < 0)
		leader_lost("lock session down");
	rsql_clear(b);
}

json_t *
runner_running_json(void)
{
	json_t *o;
	char ts[40];

	if (R == NULL || R->step >= R->plan.n)
		return json_null();
	o = json_object();
	json_object_set_new(o, "op", json_string(runner_opname()));
	json_object_set_new(o, "revision", json_string(runner_mf()->revision));
	json_object_set_new(o, "index", json_integer(R->step + 1));
	json_object_set_new(o, "total", json_integer(R->plan.n));
	iso_time_at(ts, sizeof ts, R->step_wall);
	json_object_set_new(o, "started_at", json_string(ts));
	json_object_set_new(o, "elapsed_ms",
	    json_integer(now_ms() - R->step_start));
	json_object_set_new(o, "blockers", lintrun_blockers_json());
	return o;
}

bool
runner_running_nt(const char *revision)
{
	const struct migfile *mf;

	if (R == NULL || R->step >= R->plan.n)
		return false;
	mf = runner_mf();
	return !mf->transactional && strcmp(mf->revision, revision) == 0;
}

static void
runner_free(void)
{
	if (R == NULL)
		return;
	if (R->ev_retry != NULL)
		event_free(R->ev_retry);
	if (R->ev_publish != NULL)
		event_free(R->ev_publish);
	state_forget(R);	/* a re-plan's refresh */
	rg_plan_clear(&R->plan);
	free(R->target);
	rowset_clear(&R->start);
	rowset_clear(&R->rows);
	rowset_clear(&R->next);
	free(R->applied);
	free(R->rowidx);
	free(R->nextidx);
	json_decref(R->from);
	free(R->done);
	free(R->hist_id);
	merr_clear(&R->err);
	runner_cic_clear();
	revset_unref(R->rs);
	free(R);
	R = NULL;
}

static void
runner_finish(const struct merr *err)
{
	struct req *req = R->req;
	json_t *result = NULL, *to;

	if (err == NULL) {
		to = rowset_json(&R->rows);
		/* a client's reply written as text; auto-migrate's kept */
		if (req->conn != NULL && req->reply == NULL)
			req->reply = runner_result_line(req->id, R->from, to,
			    R->done, R->ndone, runner_opname());
		if (req->reply != NULL)
			json_decref(to);
		else
			result = runner_result_json(R->from, to, R->done,
			    R->ndone, runner_opname());
		log_op(LOG_LVL_INFO, runner_opname(), NULL,
		    (long long)(now_ms() - R->plan_start), NULL,
		    "%s finished: %zu step(s) in %" PRIu64 " ms",
		    runner_opname(), R->plan.n, now_ms() - R->plan_start);
	}
	if (err == NULL || !R->atomic)
		state_set_rows(R->rows.v, R->rows.n);
	runner_free();
	state_refresh();
	schema_record();	/* the schema this plan leaves (schema.c) */
	op_finish(req, result, err);
	daemon_trim_soon();
}

/* Fill R->err from a failed result of statement k of the step (or -1). */
static void
runner_error_from(const PGresult *res, ssize_t k)
{
	const struct migfile *mf = runner_mf();
	const struct split_list *sl = runner_stmts();
	const char *f, *state;
	int pos = 0, line = 0;
	struct merr *e = &R->err;

	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	merr_set(e, MERR_MIGRATION_FAILED, "%s",
	    (f = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)) != NULL ?
	    f : PQresultErrorMessage(res));
	if (state != NULL && strcmp(state, "57014") == 0 && R->cancelled)
		e->code = MERR_CANCELLED;
	e->revision = xstrdup(mf->revision);
	e->file = xstrdup(mf->path);
	if ((f = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)) != NULL)
		pos = atoi(f);
	if (k >= 0 && (size_t)k < sl->n) {
		line = split_pos_to_line(sl->v[k].sql, sl->v[k].len,
		    sl->v[k].line, pos);
		e->position = pos;
	} else
		line = R->up ? mf->up.line : mf->down_sec.line;
	e->line = line;
	if (state != NULL)
		e->sqlstate = xstrdup(state);
	if ((f = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL)) != NULL)
		e->detail = xstrdup(f);
	if ((f = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT)) != NULL)
		e->hint = xstrdup(f);
	if ((f = PQresultErrorField(res, PG_DIAG_CONTEXT)) != NULL)
		e->context = xstrdup(f);
}

static void
runner_emit_failed(void)
{
	json_t *o = proto_error_object(&R->err);
	char *where = merr_located(&R->err);

	op_event(R->req, "step_failed", o);
	metrics_step(runner_opname(), now_ms() - R->step_start, false);
	log_op(LOG_LVL_ERROR, runner_opname(), R->err.revision,
	    (long long)(now_ms() - R->step_start), R->err.sqlstate,
	    "%s%s%s", where, R->err.detail ? " DETAIL: " : "",
	    R->err.detail ? R->err.detail : "");
	free(where);
}

/* The step failed for good: roll back, record, answer. */
static void
runner_on_failrow(struct db *db, const struct db_result *r, void *arg)
{
	struct merr err = { 0 };

	if (r->conn_lost)
		return;		/* leader_lost() finishes the request */
	if (r->failed >= 0)
		log_warn("cannot record the failed step: %s, ignoring",
		    PQresultErrorMessage(r->err));
	merr_move(&err, &R->err);
	runner_finish(&err);
	merr_clear(&err);
}

static void
runner_fail_step(void)
{
	struct rsql_batch b;
	const struct migfile *mf = runner_mf();
	char *msg, *progress, *tmp;

	runner_emit_failed();
	msg = merr_history_text(&R->err, mf->path);
	if (R->hist_id != NULL) {
		/* which statements are done, for resolve */
		progress = rsql_nt_progress(mf->path, runner_stmts(),
		    R->nt_next, true);
		tmp = xasprintf("%s\n%s", msg, progress);
		free(msg);
		free(progress);
		msg = tmp;
	}
	rsql_init(&b);
	if (R->hist_id != NULL) {
		/* non-transactional: the running row becomes failed: dirty */
		rsql_add(&b, "ROLLBACK", 0);	/* harmless outside a txn */
		rsql_nt_failed(&b, R->hist_id, msg);
	} else {
		rsql_add(&b, "ROLLBACK", 0);
		rsql_history(&b, mf, runner_opname(), "failed", msg,
		    R->req->user, true, R->step_start);
	}
	free(msg);
	runner_send(&b, true, true, runner_on_failrow);
}

static void
runner_on_retry(evutil_socket_t fd, short what, void *arg)
{
	if (R->hist_id != NULL)
		runner_nt_next();
	else
		runner_step();
}

/*
 * A lock_timeout (55P03) or a deadlock (40P01): may it be retried? Counts
 * the attempt and logs; runner_retry_arm() then starts the backoff.
 */
static bool
runner_retry(const char *sqlstate)
{
	int ms;

	if (R->cancelled || R->attempt >= D->cfg.lock_retries)
		return false;
	R->attempt++;
	ms = backoff_ms(R->attempt, 200, 5000);
	R->retry_ms = ms;
	log_op(LOG_LVL_WARN, runner_opname(), runner_mf()->revision, -1,
	    sqlstate, "%s (attempt %d of %d), retrying in %d ms",
	    strcmp(sqlstate, "40P01") == 0 ? "deadlock" : "lock timeout",
	    R->attempt, D->cfg.lock_retries + 1, ms);
	return true;
}

static void
runner_retry_arm(void)
{
	struct timeval tv;

	if (R->cancelled) {
		runner_on_retry(-1, 0, NULL);	/* no backoff before giving up */
		return;
	}
	tv.tv_sec = R->retry_ms / 1000;
	tv.tv_usec = (R->retry_ms % 1000) * 1000;
	evtimer_add(R->ev_retry, &tv);
}

/* The failed step's transaction is rolled back: back off, then retry. */
static void
runner_on_retry_rollback(struct db *db, const struct db_result *r, void *arg)
{
	if (r->conn_lost)
		return;
	if (r->failed >= 0)
		log_warn("ROLLBACK failed: %s, ignoring",
		    PQresultErrorMessage(r->err));
	runner_retry_arm();
}

/* Rows and applied marks of rows (sorted). */
static void
runner_take_rows(const struct rowset *rows)
{
	size_t *cur, ncur;

	rowset_clear(&R->rows);
	rowset_from_strs(&R->rows, rows->v, rows->n);
	cur = revset_rows_idx(R->rs, R->rows.v, R->rows.n, &ncur);
	memset(R->applied, 0, R->rs->g->n * sizeof *R->applied);
	revgraph_closure(R->rs->g, cur, ncur, R->applied);
	free(cur);
	R->rowidx = xreallocarray(R->rowidx, R->rs->g->n + 1,
	    sizeof *R->rowidx);
	R->nrowidx = revgraph_rows_of(R->rs->g, R->applied, R->rowidx);
}

/*
 * --atomic has no savepoint per revision (SPEC §3: a subtransaction per
 * revision overflows PostgreSQL's 64-entry subxact cache), so a failed
 * statement aborts the whole transaction: a retry starts the plan over.
 */
static void
runner_atomic_restart(void)
{
	log_op(LOG_LVL_WARN, runner_opname(), NULL, -1, NULL, "the atomic "
	    "transaction is rolled back; all %zu step(s) run again",
	    R->plan.n);
	R->in_txn = false;
	R->step = 0;
	runner_take_rows(&R->start);
	R->ndone = 0;
}

/*
 * A transaction of the step failed with state: if it is a lock_timeout or
 * a deadlock that may be retried, roll back and retry after the backoff.
 */
static bool
runner_rollback_retry(const char *state)
{
	struct rsql_batch b;

	if (state == NULL || (strcmp(state, "55P03") != 0 &&
	    strcmp(state, "40P01") != 0) || !runner_retry(state))
		return false;
	if (R->atomic)
		runner_atomic_restart();
	rsql_init(&b);
	rsql_add(&b, "ROLLBACK", 0);
	runner_send(&b, true, false, runner_on_retry_rollback);
	return true;
}

/*
 * Show a step's version rows in the status. state_set_rows() recomputes
 * state, pending and drift, O(revisions), which made a plan O(revisions^2)
 * (1,000 steps of 1,000 revisions: ~0.9 ms of CPU each, the daemon's main
 * cost). So at most every RUNNER_PUBLISH_MS, the last rows a timer later;
 * runner_finish() publishes the final rows itself.
 */
#define RUNNER_PUBLISH_MS 50

static void
runner_on_publish(evutil_socket_t fd, short what, void *arg)
{
	if (R == NULL || R->atomic)
		return;
	state_set_rows(R->rows.v, R->rows.n);
	R->published = now_ms();
}

static void
runner_publish_rows(void)
{
	struct timeval tv;
	uint64_t now = now_ms(), wait;

	if (now - R->published >= RUNNER_PUBLISH_MS) {
		if (evtimer_pending(R->ev_publish, NULL))
			evtimer_del(R->ev_publish);
		runner_on_publish(-1, 0, NULL);
		return;
	}
	if (evtimer_pending(R->ev_publish, NULL))
		return;
	wait = RUNNER_PUBLISH_MS - (now - R->published);
	tv.tv_sec = 0;
	tv.tv_usec = (suseconds_t)(wait * 1000);
	evtimer_add(R->ev_publish, &tv);
}

static void
runner_step_end(void)
{
	uint64_t ms = now_ms() - R->step_start;
	const struct migfile *mf = runner_mf();
	size_t *idx;

	if (R->ndone == R->capdone) {
		R->capdone = R->capdone ? R->capdone * 2 : 64;
		R->done = xreallocarray(R->done, R->capdone, sizeof *R->done);
	}
	R->done[R->ndone].mf = mf;
	R->done[R->ndone++].ms = ms;
	runner_ev_finished(R->req, mf, ms);
	log_op(LOG_LVL_INFO, runner_opname(), mf->revision, (long long)ms,
	    NULL, "done in %" PRIu64 " ms (%s)", ms, mf->message);
	metrics_step(runner_opname(), ms, true);
	R->applied[R->plan.v[R->step].rev] = R->up;
	rowset_clear(&R->rows);
	R->rows = R->next;
	memset(&R->next, 0, sizeof R->next);
	idx = R->rowidx;
	R->rowidx = R->nextidx;
	R->nrowidx = R->nnextidx;
	R->nextidx = idx;
	if (!R->atomic)
		runner_publish_rows();
	free(R->hist_id);
	R->hist_id = NULL;
	R->step++;
	if (!R->atomic)
		R->attempt = 0;	/* atomic: retries count whole transactions */
	runner_step();
}

/*
 * A step is done: its step_finished and the next step's step_started (or
 * the plan's reply) reach the client in one send(), not one each.
 */
static void
runner_step_done(void)
{
	struct conn *c = R->req->conn;

	if (c != NULL) {
		conn_ref(c);
		conn_cork(c);
	}
	runner_step_end();
	if (c != NULL) {
		conn_uncork(c);
		conn_unref(c);
	}
}

/* The step's last batch, the one with its COMMIT, answered. */
static void
runner_on_commit(struct db *db, const struct db_result *r, void *arg)
{
	if (r->conn_lost)
		return;
	if (r->failed >= 0) {
		/* the bookkeeping LOCK timed out: the whole batch again */
		if (runner_rollback_retry(PQresultErrorField(r->err,
		    PG_DIAG_SQLSTATE)))
			return;
		runner_error_from(r->err, -1);
		runner_fail_step();
		return;
	}
	runner_step_done();
}

/* The step's transaction is rolled back: re-read the rows, re-plan. */
static void
runner_on_replan_rollback(struct db *db, const struct db_result *r, void *arg)
{
	if (r->conn_lost)
		return;
	if (r->failed >= 0)
		log_warn("ROLLBACK failed: %s, ignoring",
		    PQresultErrorMessage(r->err));
	runner_replan();
}

/* Result of one transactional step's pipeline (up to COMMIT). */
static void
runner_on_step(struct db *db, const struct db_result *r, void *arg)
{
	const char *state;
	ssize_t k;
	struct rsql_batch b;

	if (r->conn_lost)
		return;
	if (r->failed < 0 && R->atomic) {
		R->in_txn = true;	/* BEGIN and the row check went through */
		runner_step_done();
		return;
	}
	if (r->failed < 0) {
		rsql_init(&b);
		rsql_add(&b, "COMMIT", 0);
		runner_send(&b, true, true, runner_on_commit);
		return;
	}
	state = PQresultErrorField(r->err, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "MGLCK") == 0) {
		leader_lost("the advisory lock is not held by the lock session");
		return;
	}
	if (state != NULL && strcmp(state, "MGPLN") == 0) {
		/* someone else changed the version table: re-plan */
		R->in_txn = false;
		rsql_init(&b);
		rsql_add(&b, "ROLLBACK", 0);
		runner_send(&b, true, false, runner_on_replan_rollback);
		return;
	}
	k = (ssize_t)r->failed - (ssize_t)R->first_stmt;
	if (k < 0 || (size_t)k >= R->nstmt)
		k = -1;
	/*
	 * A deadlock with another session (say an alembic upgrade that read the
	 * version table before our LOCK, then wrote it) rolled our step back:
	 * like a lock timeout, try again; the LOCK then waits for the other
	 * transaction and the row check re-plans if it changed the rows.
	 */
	if (runner_rollback_retry(state))
		return;
	runner_error_from(r->err, k);
	runner_fail_step();
}

static void
runner_emit_started(void)
{
	const struct migfile *mf = runner_mf();

	R->step_start = now_ms();
	R->step_wall = wall_ms();
	runner_ev_started(R->req, mf, R->step + 1, R->plan.n);
	lintrun_step_started(R->req, mf);
	notify_status("applying %s (%zu/%zu)", mf->revision, R->step + 1,
	    R->plan.n);
	if (D->cfg.ready_when == READY_CURRENT && !D->ready_sent)
		notify_extend_timeout(60ULL * 1000000);
	log_op(LOG_LVL_INFO, runner_opname(), mf->revision, -1, NULL,
	    "step %zu of %zu (%s), requested by %s", R->step + 1, R->plan.n,
	    mf->message, R->req->user);
}

/*
 * Compute R->next: the version rows once the current step is done, from
 * the rows before it (not a pass over the whole graph at every step).
 */
static void
runner_next_rows(void)
{
	size_t rev = R->plan.v[R->step].rev;

	R->applied[rev] = R->up;
	R->nextidx = xreallocarray(R->nextidx, R->nrowidx +
	    R->rs->g->nodes[rev].nparents + 1, sizeof *R->nextidx);
	R->nnextidx = revgraph_rows_step(R->rs->g, R->applied, R->rowidx,
	    R->nrowidx, rev, R->nextidx);
	rowset_clear(&R->next);
	rowset_from_idx(&R->next, R->rs, R->nextidx, R->nnextidx);
	R->applied[rev] = !R->up;
}

static void
runner_commit_atomic(struct db *db, const struct db_result *r, void *arg)
{
	if (r->conn_lost)
		return;
	if (r->failed >= 0) {
		R->step = R->plan.n - 1;	/* for the messages */
		if (runner_rollback_retry(PQresultErrorField(r->err,
		    PG_DIAG_SQLSTATE)))
			return;
		merr_set(&R->err, MERR_MIGRATION_FAILED, "commit failed: %s",
		    PQresultErrorMessage(r->err));
		runner_fail_step();
		return;
	}
	runner_finish(NULL);
}

static void
runner_step(void)
{
	struct rsql_batch b;
	struct merr err = { 0 };
	const struct migfile *mf;

	if (R->step >= R->plan.n && (!R->atomic || !R->in_txn)) {
		runner_finish(NULL);
		return;
	}
	if (R->cancelled && !(R->atomic && R->in_txn)) {
		/* between transactions: nothing to roll back */
		merr_set(&R->err, MERR_CANCELLED, "cancelled before %s; %zu "
		    "of %zu step(s) done", runner_mf()->revision, R->step,
		    R->plan.n);
		merr_move(&err, &R->err);
		runner_finish(&err);
		merr_clear(&err);
		return;
	}
	if (R->cancelled) {
		merr_set(&R->err, MERR_CANCELLED, "cancelled; the atomic "
		    "upgrade is rolled back");
		if (R->step >= R->plan.n)
			R->step = R->plan.n - 1;
		runner_fail_step();
		return;
	}
	if (R->step >= R->plan.n) {
		rsql_init(&b);
		rsql_add(&b, "COMMIT", 0);
		rsql_notify(&b);
		runner_send(&b, true, true, runner_commit_atomic);
		return;
	}
	mf = runner_mf();
	if (R->attempt == 0 || R->atomic)
		runner_emit_started();	/* atomic: a retry starts over */
	runner_next_rows();
	if (!mf->transactional) {
		runner_nt_begin();
		return;
	}
	rsql_init(&b);
	if (!R->atomic || !R->in_txn)
		rsql_add(&b, "BEGIN", 0);
	rsql_add_timeouts(&b, mf, true);	/* before the LOCK: bounded */
	if (!R->atomic || !R->in_txn)
		rsql_add_lock(&b, &R->rows, NULL);
	R->first_stmt = b.n;
	R->nstmt = rsql_add_stmts(&b, runner_stmts());
	rsql_version_change(&b, &R->rows, &R->next);
	/*
	 * COMMIT goes in a second round trip, once every statement is known
	 * to have run: a daemon killed before that leaves an open transaction
	 * that PostgreSQL rolls back, never a revision committed for a dead
	 * daemon from commands still queued in the server's socket.
	 */
	if (!R->atomic)
		rsql_history_notify(&b, mf, runner_opname(), R->req->user);
	else
		rsql_history(&b, mf, runner_opname(), "ok", NULL,
		    R->req->user, true, 0);
	runner_send(&b, true, false, runner_on_step);
}

/* ---- non-transactional steps ---- */

static void
runner_on_nt_stmt(struct db *db, const struct db_result *r, void *arg)
{
	const char *state;

	if (r->conn_lost)
		return;
	if (r->failed != 0) {
		/* 1: the statement ran, recording its progress did not */
		if (r->failed > 0)
			log_warn("cannot record the progress of %s: %s, "
			    "ignoring", runner_mf()->revision,
			    PQresultErrorMessage(r->err));
		R->nt_next++;
		R->attempt = 0;
		runner_nt_next();
		return;
	}
	state = PQresultErrorField(r->err, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "55P03") == 0 &&
	    runner_mf()->lock_timeout != NULL && runner_retry(state)) {
		runner_retry_arm();	/* only the failed statement again */
		return;
	}
	runner_error_from(r->err, (ssize_t)R->nt_next);
	runner_fail_step();
}

/* Send statement R->nt_next; then the running row says it is done. */
static void
runner_nt_send(void)
{
	struct rsql_batch b;
	const struct split_list *sl = runner_stmts();
	char *progress;

	rsql_init(&b);
	rsql_add(&b, sl->v[R->nt_next].sql, 0);
	progress = rsql_nt_progress(runner_mf()->path, sl, R->nt_next + 1,
	    false);
	rsql_nt_progress_row(&b, R->hist_id, progress);
	free(progress);
	runner_send(&b, false, false, runner_on_nt_stmt);
}

/*
 * runner_cic_before() answered: run the statement, or treat its query's
 * failure as the statement's (a lock timeout is an attempt like any other).
 */
static void
runner_on_cic(const PGresult *err, void *arg)
{
	const char *state;

	if (R == NULL || R != arg)
		return;
	if (err == NULL) {
		runner_nt_send();
		return;
	}
	state = PQresultErrorField(err, PG_DIAG_SQLSTATE);
	if (state != NULL && strcmp(state, "55P03") == 0 &&
	    runner_mf()->lock_timeout != NULL && runner_retry(state)) {
		runner_retry_arm();
		return;
	}
	runner_error_from(err, (ssize_t)R->nt_next);
	runner_fail_step();
}

static void
runner_nt_next(void)
{
	struct rsql_batch b;
	const struct split_list *sl = runner_stmts();

	rsql_init(&b);
	if (R->cancelled) {
		merr_set(&R->err, MERR_CANCELLED, "cancelled during %s",
		    runner_mf()->revision);
		R->err.revision = xstrdup(runner_mf()->revision);
		runner_fail_step();
		return;
	}
	if (R->nt_next < sl->n) {
		/* a cancelled CREATE INDEX CONCURRENTLY's invalid index */
		if (!runner_cic_before(runner_opname(), runner_mf()->revision,
		    R->hist_id, R->nt_next, sl->v[R->nt_next].sql,
		    runner_on_cic, R))
			runner_nt_send();
		return;
	}
	rsql_add(&b, "BEGIN", 0);
	rsql_add_lock(&b, &R->rows, D->cfg.lock_timeout);
	rsql_version_change(&b, &R->rows, &R->next);
	rsql_nt_done(&b, R->hist_id);
	rsql_notify(&b);
	rsql_add(&b, "COMMIT", 0);
	runner_send(&b, true, true, runner_on_commit);
}

static void
runner_on_nt_begin(struct db *db, const struct db_result *r, void *arg)
{
	const char *state;

	if (r->conn_lost)
		return;
	if (r->failed >= 0) {
		state = PQresultErrorField(r->err, PG_DIAG_SQLSTATE);
		if (state != NULL && strcmp(state, "MGLCK") == 0) {
			leader_lost("the advisory lock is not held");
			return;
		}
		if (runner_rollback_retry(state))
			return;
		runner_error_from(r->err, -1);
		runner_fail_step();
		return;
	}
	R->hist_id = xstrdup(PQgetvalue(r->res[R->hist_k], 0, 0));
	R->nt_next = 0;
	runner_nt_next();
}

static void
runner_nt_begin(void)
{
	struct rsql_batch b;
	const struct migfile *mf = runner_mf();

	rsql_init(&b);
	rsql_add(&b, "BEGIN", 0);
	rsql_add_lock(&b, &R->rows, D->cfg.lock_timeout);
	R->hist_k = b.n;	/* INSERT ... RETURNING id */
	rsql_nt_start(&b, mf, runner_opname(), R->req->user);
	rsql_notify(&b);
	rsql_add(&b, "COMMIT", 0);
	rsql_add_timeouts(&b, mf, false);
	runner_send(&b, true, false, runner_on_nt_begin);
}

/* ---- plans ---- */

/* The guard function is ready (or the DO block will do): first step. */
static void
runner_on_guard(void *arg)
{
	if (R != NULL && R == arg)
		runner_step();
}

void
runner_start(struct req *req, struct revset *rs, struct rg_plan *plan,
    const struct runner_opts *o)
{
	if (R != NULL)
		fatal("runner_start: a plan is already running");
	R = xcalloc(1, sizeof *R);
	R->req = req;
	R->rs = revset_ref(rs);
	R->plan = *plan;
	memset(plan, 0, sizeof *plan);
	R->up = o->up;
	R->atomic = o->atomic;
	R->target = xcalloc(o->ntarget + 1, sizeof *R->target);
	if (o->ntarget > 0)
		memcpy(R->target, o->target, o->ntarget * sizeof *R->target);
	R->ntarget = o->ntarget;
	R->plan_start = now_ms();
	rowset_from_strs(&R->start, D->st.rows, D->st.nrows);
	R->applied = xcalloc(rs->g->n + 1, sizeof *R->applied);
	runner_take_rows(&R->start);
	R->from = rowset_json(&R->rows);
	R->ev_retry = evtimer_new(D->base, runner_on_retry, NULL);
	R->ev_publish = evtimer_new(D->base, runner_on_publish, NULL);
	if (R->ev_retry == NULL || R->ev_publish == NULL)
		fatal("evtimer_new failed");
	runner_ev_planned(R->req, R->rs->g, &R->plan);
	guard_prepare(runner_on_guard, R);
}

/* Fail the plan with err (cleared). */
static void
runner_fail_plan(struct merr *err)
{
	runner_finish(err);
	merr_clear(err);
}

/*
 * The version table changed under the plan and the database has been read
 * again: run the plan's checks again (a row with no file, dirty, drift:
 * the same guard as before the plan) and plan anew from the rows as they
 * are to the same target.
 */
static void
runner_on_replan_fresh(void *arg, bool ok)
{
	struct merr err = { 0 };
	struct rg_plan plan = { 0 };
	size_t *cur, ncur;

	if (!ok) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "cannot read the version "
		    "table again to re-plan: %s", D->read_error ?
		    D->read_error : "refresh failed");
		runner_fail_plan(&err);
		return;
	}
	if (++R->replans > 3) {
		merr_set(&err, MERR_MIGRATION_FAILED, "the version table "
		    "keeps changing under this plan (another migration "
		    "runner?)");
		runner_fail_plan(&err);
		return;
	}
	if (op_plan_guard(R->rs, &err) < 0) {
		log_op(LOG_LVL_ERROR, runner_opname(), NULL, -1, NULL, "the "
		    "version table changed under the plan, and now: %s",
		    err.message);
		runner_fail_plan(&err);
		return;
	}
	rowset_clear(&R->start);
	rowset_from_strs(&R->start, D->st.rows, D->st.nrows);
	runner_take_rows(&R->start);
	cur = revset_rows_idx(R->rs, R->rows.v, R->rows.n, &ncur);
	if (revgraph_plan(R->rs->g, R->up, cur, ncur, R->target, R->ntarget,
	    &plan, &err) == 0)
		op_plan_skip_empty(R->req, R->rs, &plan);
	if (err.code != MERR_NONE || op_plan_check(R->rs, &plan, R->atomic,
	    &err) < 0) {
		free(cur);
		rg_plan_clear(&plan);
		runner_fail_plan(&err);
		return;
	}
	free(cur);
	rg_plan_clear(&R->plan);
	R->plan = plan;
	R->step = 0;
	log_warn("the version table changed under the plan; re-planned, "
	    "%zu step(s) left", R->plan.n);
	runner_step();
}

static void
runner_replan(void)
{
	state_refresh_then(runner_on_replan_fresh, R);
}

int
runner_cancel(json_t **info)
{
	if (R == NULL) {
		*info = json_pack("{s:b}", "cancelled", 0);
		return 0;
	}
	*info = json_pack("{s:b, s:s, s:s}", "cancelled", 1, "op",
	    runner_opname(), "revision", R->step < R->plan.n ?
	    runner_mf()->revision : "");
	if (R->cancelled) {
		runner_cancel_again();	/* the first may have been lost */
		return 0;
	}
	R->cancelled = true;
	log_op(LOG_LVL_NOTICE, runner_opname(), R->step < R->plan.n ?
	    runner_mf()->revision : NULL, -1, NULL, "cancel requested");
	if (evtimer_pending(R->ev_retry, NULL)) {
		evtimer_del(R->ev_retry);
		runner_on_retry(-1, 0, NULL);
		return 0;
	}
	state_cancel_backend(leader_backend_pid());
	return 0;
}

bool
runner_cancelled(void)
{
	return R != NULL && R->cancelled;
}

/* The cancel of a cancelled plan sent to its backend once more. */
void
runner_cancel_again(void)
{
	if (R == NULL || !R->cancelled)
		return;
	log_op(LOG_LVL_NOTICE, runner_opname(), R->step < R->plan.n ?
	    runner_mf()->revision : NULL, -1, NULL, "cancel sent again");
	state_cancel_backend(leader_backend_pid());
}

void
runner_abort(const char *why, enum merr_code code)
{
	struct merr err = { 0 };
	struct req *req;

	if (R == NULL)
		return;
	merr_set(&err, code, "%s: %s", R->step < R->plan.n ?
	    runner_mf()->revision : "plan", why);
	req = R->req;
	runner_free();
	state_refresh();
	op_finish(req, NULL, &err);
	merr_clear(&err);
}
