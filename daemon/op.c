/* SPDX-License-Identifier: MIT */
/* op.c: the op table, central checks, the change queue and replies. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "proto.h"

extern const struct op_entry op_hello_entry, op_status_entry,
    op_history_entry, op_log_entry, op_upgrade_entry, op_downgrade_entry,
    op_stamp_entry, op_verify_entry, op_check_entry, op_wait_entry,
    op_reload_entry, op_cancel_entry, op_resolve_entry;

static const struct op_entry *const op_table[] = {
	&op_hello_entry, &op_status_entry, &op_history_entry, &op_log_entry,
	&op_upgrade_entry, &op_downgrade_entry, &op_stamp_entry,
	&op_verify_entry, &op_check_entry, &op_wait_entry, &op_reload_entry,
	&op_cancel_entry, &op_resolve_entry,
};

static struct event *op_kick_ev;

static const struct op_entry *
op_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(op_table); i++)
		if (strcmp(op_table[i]->name, name) == 0)
			return op_table[i];
	return NULL;
}

void
req_free(struct req *req)
{
	if (req == NULL)
		return;
	if (req->data_free != NULL)
		req->data_free(req->data);
	if (req->ev_timer != NULL)
		event_free(req->ev_timer);
	state_forget(req);
	schema_forget(req);
	TAILQ_REMOVE(&D->reqs, req, live);
	free(req->reply);
	json_decref(req->id);
	json_decref(req->args);
	free(req->user);
	conn_unref(req->conn);
	free(req);
}

static struct req *
req_new(struct conn *c, json_t *id, const struct op_entry *op, json_t *args)
{
	struct req *req;

	req = xcalloc(1, sizeof *req);
	req->conn = c != NULL ? conn_ref(c) : NULL;
	req->id = json_incref(id);
	req->op = op;
	req->args = json_incref(args);
	req->user = xstrdup(c != NULL ? c->peer.user : "auto");
	req->events = true;
	req->started_ms = now_ms();
	TAILQ_INSERT_TAIL(&D->reqs, req, live);
	return req;
}

bool
op_wants_events(const struct req *req)
{
	return req->conn != NULL && !req->conn->dead && req->events;
}

void
op_event_line(struct req *req, char *line)
{
	if (!op_wants_events(req)) {
		free(line);
		return;
	}
	conn_send(req->conn, line);
}

void
op_event(struct req *req, const char *event, json_t *fields)
{
	if (!op_wants_events(req)) {
		json_decref(fields);
		return;
	}
	conn_send(req->conn, proto_encode_event_steal(req->id, event,
	    fields));
}

static void
op_log_internal(struct req *req, json_t *result, const struct merr *err)
{
	if (err != NULL && err->code != MERR_NONE)
		log_op(err->code == MERR_NOT_LEADER ? LOG_LVL_INFO :
		    LOG_LVL_ERROR, req->op->name, NULL, -1, err->sqlstate,
		    "automatic %s failed: %s", req->op->name, err->message);
	op_reload_auto_done(req, result, err);
	daemon_internal_done(result, err);
}

/*
 * At exit, after the sessions are gone: a request still waiting for a
 * session's answer (history, log, a fresh status) will never get it.
 */
void
op_stop(void)
{
	struct req *req;

	while ((req = TAILQ_FIRST(&D->reqs)) != NULL) {
		log_debug("exit: dropping an unanswered %s request",
		    req->op->name);
		req_free(req);
	}
	if (op_kick_ev != NULL)
		event_free(op_kick_ev);
	op_kick_ev = NULL;
}

void
op_finish(struct req *req, json_t *result, const struct merr *err)
{
	bool failed = err != NULL && err->code != MERR_NONE;

	if (req->waiting) {
		TAILQ_REMOVE(&D->waiters, req, entry);
		req->waiting = false;
		D->nwaiters--;
	}
	if (req->queued) {
		TAILQ_REMOVE(&D->queue, req, entry);
		D->queue_len--;
		req->queued = false;
	}
	metrics_request(req->op->name, failed ? err->code : MERR_NONE);
	if (req->conn == NULL)
		op_log_internal(req, result, err);
	else if (failed)
		conn_send(req->conn, proto_encode_error(req->id, err));
	else if (req->reply != NULL) {
		conn_send(req->conn, req->reply);
		req->reply = NULL;
	} else
		conn_send(req->conn, proto_encode_ok_steal(req->id, result));
	if (failed || req->conn == NULL)
		json_decref(result);
	if (D->running == req) {
		D->running = NULL;
		event_active(op_kick_ev, 0, 0);
		daemon_status_changed();
	}
	req_free(req);
	daemon_exit_if_done();
}

/* Run req's handler and answer if it is done. */
static void
op_exec(struct req *req)
{
	struct merr err = { 0 };
	json_t *result = NULL;
	int r;

	/* changes and --sql plans read the files as they are now */
	if ((req->op->flags & OP_QUEUED) && (r = dirwatch_check(&err)) < 0) {
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return;
	}
	r = req->op->exec(req, &result, &err);
	if (r == OP_WAIT)
		return;
	if (r < 0 && err.code == MERR_NONE)
		merr_set(&err, MERR_INTERNAL, "%s failed: %s", req->op->name,
		    strerror(-r));
	op_finish(req, r < 0 ? NULL : result, r < 0 ? &err : NULL);
	merr_clear(&err);
}

static void
op_on_kick(evutil_socket_t fd, short what, void *arg)
{
	op_queue_kick();
}

void
op_queue_kick(void)
{
	struct req *req;
	struct merr err = { 0 };

	if (op_kick_ev == NULL) {
		op_kick_ev = event_new(D->base, -1, 0, op_on_kick, NULL);
		if (op_kick_ev == NULL)
			fatal("event_new failed");
	}
	while (D->running == NULL && (req = TAILQ_FIRST(&D->queue)) != NULL) {
		if (!leader_is()) {
			merr_set(&err, MERR_NOT_LEADER, "this daemon is not "
			    "the leader (it lost the lock)");
			op_finish(req, NULL, &err);
			merr_clear(&err);
			continue;
		}
		if (!db_is_idle(D->lockdb))
			return;
		TAILQ_REMOVE(&D->queue, req, entry);
		D->queue_len--;
		req->queued = false;
		D->running = req;
		daemon_status_changed();
		op_exec(req);
	}
}

void
op_abort_queue(enum merr_code code, const char *why)
{
	struct merr err = { 0 };
	struct req *req;

	merr_set(&err, code, "%s", why);
	while ((req = TAILQ_FIRST(&D->queue)) != NULL)
		op_finish(req, NULL, &err);
	merr_clear(&err);
}

/* Fail the waiters whose flags include need (0: all of them). */
static void
op_abort_waiters(enum merr_code code, const char *why, int need)
{
	TAILQ_HEAD(, req) list;
	struct merr err = { 0 };
	struct req *req, *next;

	/* an abort may finish other requests: take ours out first */
	TAILQ_INIT(&list);
	for (req = TAILQ_FIRST(&D->waiters); req != NULL; req = next) {
		next = TAILQ_NEXT(req, entry);
		if (need != 0 && !(req->flags & need))
			continue;
		TAILQ_REMOVE(&D->waiters, req, entry);
		req->waiting = false;
		D->nwaiters--;
		TAILQ_INSERT_TAIL(&list, req, entry);
	}
	merr_set(&err, code, "%s", why);
	while ((req = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, req, entry);
		if (req->op->abort != NULL)
			req->op->abort(req, &err);
		else
			op_finish(req, NULL, &err);
	}
	merr_clear(&err);
}

void
op_leadership_lost(void)
{
	op_abort_queue(MERR_NOT_LEADER, "this daemon lost the lock");
	op_abort_waiters(MERR_NOT_LEADER, "this daemon lost the lock",
	    OP_LEADER);
}

void
op_abort_all(enum merr_code code, const char *why)
{
	op_abort_queue(code, why);
	op_abort_waiters(code, why, 0);
}

void
op_waiters_check(void)
{
	TAILQ_HEAD(, req) list;
	struct req *req;

	/* recheck may finish a waiter or put it back: walk a private list */
	TAILQ_INIT(&list);
	TAILQ_CONCAT(&list, &D->waiters, entry);
	D->nwaiters = 0;
	while ((req = TAILQ_FIRST(&list)) != NULL) {
		TAILQ_REMOVE(&list, req, entry);
		req->waiting = false;
		if (req->op->recheck != NULL)
			req->op->recheck(req);
		else
			op_wait_add(req);
	}
}

/* A client that left gets no answer: drop what it waits for. */
static void
op_drop(struct req *req)
{
	struct merr err = { 0 };

	merr_set(&err, MERR_CANCELLED, "the client went away");
	op_finish(req, NULL, &err);
	merr_clear(&err);
}

void
op_wait_add(struct req *req)
{
	if (req->conn != NULL && req->conn->dead) {
		op_drop(req);
		return;
	}
	if (!req->waiting) {
		TAILQ_INSERT_TAIL(&D->waiters, req, entry);
		req->waiting = true;
		D->nwaiters++;
	}
}

bool
op_waiters_full(void)
{
	return D->nwaiters >= WAITERS_MAX;
}

void
op_conn_lost(struct conn *c)
{
	struct req *req, *next;

	for (req = TAILQ_FIRST(&D->waiters); req != NULL; req = next) {
		next = TAILQ_NEXT(req, entry);
		if (req->conn == c)
			op_drop(req);
	}
}

int
op_fresh(struct req *req, void (*fn)(void *, bool), struct merr *err)
{
	if (!D->read_connected)
		return merr_set(err, MERR_DB_UNAVAILABLE, "database "
		    "unreachable: %s", D->read_error ? D->read_error : "");
	state_refresh_then(fn, req);
	return OP_WAIT;
}

/* The checks every request passes, in SPEC order; 0 or error set. */
static int
op_check(struct conn *c, const struct op_entry *op, const json_t *args,
    int *flags, struct merr *err)
{
	int r;

	if (op->args != NULL &&
	    (r = proto_args_only(args, op->args, err)) < 0)
		return r;
	*flags = op->flags_of != NULL ? op->flags_of(args) : op->flags;
	if (D->shutting_down && !(*flags & OP_DURING_SHUTDOWN))
		return merr_set(err, MERR_SHUTTING_DOWN,
		    "the daemon is shutting down");
	if ((*flags & OP_AUTH) && !c->peer.admin)
		return merr_set(err, MERR_UNAUTHORIZED, "user %s may not %s "
		    "(needs root, the daemon's user or admin_group)",
		    c->peer.user, op->name);
	/* no database at all: that, not "ask the leader", is the answer */
	if ((*flags & OP_LEADER) && !leader_is() && !D->read_connected)
		return merr_set(err, MERR_DB_UNAVAILABLE, "database "
		    "unreachable: %s", D->read_error ? D->read_error : "");
	if ((*flags & OP_LEADER) && !leader_is())
		return merr_set(err, MERR_NOT_LEADER, "this daemon is a "
		    "standby; send changes to the leader");
	if ((*flags & OP_QUEUED) && D->queue_len >= QUEUE_MAX)
		return merr_set(err, MERR_BUSY, "the change queue is full "
		    "(%d requests)", QUEUE_MAX);
	return 0;
}

void
op_dispatch(struct conn *c, const char *line, size_t len)
{
	struct proto_req pr;
	struct merr err = { 0 };
	const struct op_entry *op = NULL;
	struct req *req;
	int flags;

	if (proto_decode(line, len, &pr, &err) < 0)
		goto bad;
	if ((op = op_find(pr.op)) == NULL) {
		merr_set(&err, MERR_UNKNOWN_OP, "unknown op \"%s\"", pr.op);
		goto bad;
	}
	if (op_check(c, op, pr.args, &flags, &err) < 0)
		goto bad;
	/* refs: the conn, conn_on_read's hold, and one per request */
	if (c->refs - 2 >= CONN_MAX_REQS) {
		merr_set(&err, MERR_BUSY, "too many requests in flight on this "
		    "connection (%d)", CONN_MAX_REQS);
		goto bad;
	}
	req = req_new(c, pr.id, op, pr.args);
	req->flags = flags;
	proto_req_clear(&pr);
	if (flags & OP_QUEUED) {
		if (!(flags & OP_LEADER) || leader_is())
			log_op(LOG_LVL_INFO, op->name, NULL, -1, NULL,
			    "%s requested by %s", op->name, req->user);
		TAILQ_INSERT_TAIL(&D->queue, req, entry);
		req->queued = true;
		D->queue_len++;
		op_queue_kick();
		return;
	}
	op_exec(req);
	return;
bad:
	metrics_request(op != NULL ? op->name : NULL, err.code);
	conn_send(c, proto_encode_error(pr.id, &err));
	proto_req_clear(&pr);
	merr_clear(&err);
}

struct req *
op_internal(const char *opname, json_t *args)
{
	const struct op_entry *op = op_find(opname);
	struct req *req;

	if (op == NULL)
		fatal("op_internal: no op %s", opname);
	req = req_new(NULL, json_null(), op, args);
	req->flags = op->flags_of != NULL ? op->flags_of(args) : op->flags;
	json_decref(args);	/* req_new took its own reference */
	TAILQ_INSERT_TAIL(&D->queue, req, entry);
	req->queued = true;
	D->queue_len++;
	op_queue_kick();
	return req;
}
