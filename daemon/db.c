/* SPDX-License-Identifier: MIT */
/* db.c: one asynchronous libpq session driven by libevent; never blocks. */
#include "config.h"

#include <sys/queue.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db-resolve.h"
#include "log.h"

enum db_state { DB_DOWN, DB_CONNECTING, DB_UP };

struct db_batch {
	bool pipeline;
	size_t n;
	char **sql;
	int *nparams;
	char ***params;
	PGresult **res;
	size_t sent;		/* simple mode: next statement to send */
	size_t cur;		/* statement whose results are being read */
	ssize_t failed;
	bool synced;		/* pipeline: PGRES_PIPELINE_SYNC seen */
	db_batch_cb cb;
	void *arg;
	TAILQ_ENTRY(db_batch) entry;
};

struct db {
	char *name;
	struct event_base *base;
	struct db_callbacks cb;
	void *arg;
	enum db_state state;
	PGconn *pg;
	int fd;
	struct event *ev_read;
	struct event *ev_write;
	struct event *ev_timeout;
	struct event *ev_defer;	/* reports a failed PQconnectStart */
	struct event *ev_idle;	/* the session went idle: cb.idle */
	struct db_batch *batch;
	TAILQ_HEAD(, db_batch) pending;	/* batches waiting for their turn */
	char *last_error;
	bool want_write;
	struct evdns_base *dns;		/* NULL: libpq resolves (blocking) */
	struct db_resolve *resolving;	/* looking host names up */
	char **ckeys, **cvals;		/* the parameters, meanwhile */
	int timeout_ms;
};

static void db_on_read(evutil_socket_t, short, void *);
static void db_on_idle(evutil_socket_t, short, void *);
static void db_on_defer(evutil_socket_t, short, void *);
static void db_on_write(evutil_socket_t, short, void *);
static void db_poll_connect(struct db *);
static void db_drive(struct db *);
static void db_start(struct db *, struct db_batch *);

struct db *
db_new(struct event_base *base, const char *name,
    const struct db_callbacks *cb, void *arg)
{
	struct db *db;

	db = xcalloc(1, sizeof *db);
	db->name = xstrdup(name);
	db->base = base;
	db->cb = *cb;
	db->arg = arg;
	db->fd = -1;
	TAILQ_INIT(&db->pending);
	db->last_error = xstrdup("");
	db->ev_defer = event_new(base, -1, 0, db_on_defer, db);
	db->ev_idle = event_new(base, -1, 0, db_on_idle, db);
	if (db->ev_defer == NULL || db->ev_idle == NULL)
		fatal("event_new failed");
	return db;
}

static void
db_batch_free(struct db_batch *b)
{
	size_t i;
	int j;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		free(b->sql[i]);
		for (j = 0; j < b->nparams[i]; j++)
			free(b->params[i][j]);
		free(b->params[i]);
		PQclear(b->res[i]);
	}
	free(b->sql);
	free(b->nparams);
	free(b->params);
	free(b->res);
	free(b);
}

static void db_lost(struct db *, const char *);

static void
db_on_idle(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	if (db_is_idle(db) && TAILQ_EMPTY(&db->pending) && db->cb.idle != NULL)
		db->cb.idle(db, db->arg);
}

static void
db_on_defer(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;
	char *why;

	if (db->state == DB_DOWN)
		return;
	why = xstrdup(db->last_error);
	db_lost(db, why);
	free(why);
}

static void
db_events_free(struct db *db)
{
	if (db->ev_read != NULL)
		event_free(db->ev_read);
	if (db->ev_write != NULL)
		event_free(db->ev_write);
	db->ev_read = db->ev_write = NULL;
	db->fd = -1;
	db->want_write = false;
}

static void
db_set_error(struct db *db, const char *msg)
{
	size_t len;

	free(db->last_error);
	db->last_error = xstrdup(msg != NULL ? msg : "");
	/* libpq messages end in a newline; logs and JSON want none */
	len = strlen(db->last_error);
	while (len > 0 && (db->last_error[len - 1] == '\n' ||
	    db->last_error[len - 1] == ' '))
		db->last_error[--len] = '\0';
	if (len == 0) {
		free(db->last_error);
		db->last_error = xstrdup("connection lost");
	}
}

/* Forget a lookup in flight and the parameters kept for it. */
static void
db_resolve_drop(struct db *db)
{
	size_t i;

	db_resolve_cancel(db->resolving);
	db->resolving = NULL;
	for (i = 0; db->ckeys != NULL && db->ckeys[i] != NULL; i++) {
		free(db->ckeys[i]);
		free(db->cvals[i]);
	}
	free(db->ckeys);
	free(db->cvals);
	db->ckeys = db->cvals = NULL;
}

void
db_close(struct db *db)
{
	struct db_batch *b;

	db_resolve_drop(db);
	if (db->ev_defer != NULL)
		event_del(db->ev_defer);
	if (db->ev_idle != NULL)
		event_del(db->ev_idle);
	db_events_free(db);
	if (db->ev_timeout != NULL)
		evtimer_del(db->ev_timeout);
	if (db->pg != NULL)
		PQfinish(db->pg);
	db->pg = NULL;
	db_batch_free(db->batch);
	db->batch = NULL;
	while ((b = TAILQ_FIRST(&db->pending)) != NULL) {
		TAILQ_REMOVE(&db->pending, b, entry);
		db_batch_free(b);
	}
	db->state = DB_DOWN;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_close(db);
	if (db->ev_timeout != NULL)
		event_free(db->ev_timeout);
	if (db->ev_defer != NULL)
		event_free(db->ev_defer);
	if (db->ev_idle != NULL)
		event_free(db->ev_idle);
	free(db->last_error);
	free(db->name);
	free(db);
}

bool
db_is_up(const struct db *db)
{
	return db->state == DB_UP;
}

bool
db_is_idle(const struct db *db)
{
	return db->state == DB_UP && db->batch == NULL;
}

PGconn *
db_pg(const struct db *db)
{
	return db->state == DB_UP ? db->pg : NULL;
}

const char *
db_name(const struct db *db)
{
	return db->name;
}

const char *
db_last_error(const struct db *db)
{
	return db->last_error;
}

int
db_backend_pid(const struct db *db)
{
	return db->state == DB_UP ? PQbackendPID(db->pg) : 0;
}

/* Complete b with conn_lost set, then free it. */
static void
db_fail_batch(struct db *db, struct db_batch *b)
{
	struct db_result r;

	memset(&r, 0, sizeof r);
	r.n = b->n;
	r.res = b->res;
	r.failed = b->failed >= 0 ? b->failed : (ssize_t)b->cur;
	r.conn_lost = true;
	r.conn_error = db->last_error;
	if (b->cb != NULL)
		b->cb(db, &r, b->arg);
	db_batch_free(b);
}

/* The session broke: fail every batch, then tell the owner. */
static void
db_lost(struct db *db, const char *why)
{
	TAILQ_HEAD(, db_batch) failed;
	struct db_batch *b;

	db_set_error(db, why);
	db_resolve_drop(db);
	TAILQ_INIT(&failed);
	if (db->batch != NULL)
		TAILQ_INSERT_TAIL(&failed, db->batch, entry);
	db->batch = NULL;
	TAILQ_CONCAT(&failed, &db->pending, entry);
	db_events_free(db);
	if (db->ev_timeout != NULL)
		evtimer_del(db->ev_timeout);
	if (db->ev_defer != NULL)
		event_del(db->ev_defer);
	if (db->pg != NULL)
		PQfinish(db->pg);
	db->pg = NULL;
	db->state = DB_DOWN;
	while ((b = TAILQ_FIRST(&failed)) != NULL) {
		TAILQ_REMOVE(&failed, b, entry);
		db_fail_batch(db, b);
	}
	if (db->cb.lost != NULL)
		db->cb.lost(db, db->last_error, db->arg);
}

/* (Re)register read/write events for the current socket. */
static int
db_watch(struct db *db, bool want_write)
{
	int fd = PQsocket(db->pg);

	if (fd < 0)
		return -EBADF;
	if (fd != db->fd) {
		db_events_free(db);
		db->fd = fd;
		db->ev_read = event_new(db->base, fd, EV_READ | EV_PERSIST,
		    db_on_read, db);
		db->ev_write = event_new(db->base, fd, EV_WRITE, db_on_write,
		    db);
		if (db->ev_read == NULL || db->ev_write == NULL)
			fatal("event_new failed");
		event_add(db->ev_read, NULL);
	}
	if (want_write && !db->want_write)
		event_add(db->ev_write, NULL);
	else if (!want_write && db->want_write)
		event_del(db->ev_write);
	db->want_write = want_write;
	return 0;
}

static void
db_on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	if (db->state == DB_CONNECTING && db->resolving != NULL)
		db_lost(db, "timeout expired while looking up the host name");
	else if (db->state == DB_CONNECTING)
		db_lost(db, "timeout expired while connecting");
	else if (db->state == DB_DOWN && db->cb.lost != NULL)
		db->cb.lost(db, db->last_error, db->arg);
}

void
db_set_resolver(struct db *db, struct evdns_base *dns)
{
	db->dns = dns;
}

/* PQconnectStartParams, its socket watched; the timeout already runs. */
static void
db_connect_start(struct db *db, const char *const *keys,
    const char *const *vals)
{
	struct timeval tv;

	db->pg = PQconnectStartParams(keys, vals, 0);
	if (db->pg == NULL || PQstatus(db->pg) == CONNECTION_BAD) {
		/* report from the loop, never from inside this call */
		db_set_error(db, db->pg != NULL ? PQerrorMessage(db->pg) :
		    "out of memory");
		if (db->pg != NULL)
			PQfinish(db->pg);
		db->pg = NULL;
		db->state = DB_DOWN;
		tv.tv_sec = 0;
		tv.tv_usec = 0;
		evtimer_add(db->ev_timeout, &tv);
		return;
	}
	db->state = DB_CONNECTING;
	if (PQsetnonblocking(db->pg, 1) != 0) {
		db_set_error(db, PQerrorMessage(db->pg));
		return;
	}
	if (db_watch(db, true) < 0)
		db_lost(db, PQerrorMessage(db->pg));
}

static const char *
db_param(const char *const *keys, const char *const *vals, const char *key)
{
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (strcmp(keys[i], key) == 0)
			return vals[i];
	return NULL;
}

/* The names are looked up: connect to the addresses found. */
static void
db_on_resolved(void *arg, const char *host, const char *hostaddr,
    const char *port, const char *error)
{
	struct db *db = arg;
	const char **keys, **vals;
	size_t i, n = 0;

	db_resolve_cancel(db->resolving);	/* done: frees the job */
	db->resolving = NULL;
	if (error != NULL) {
		db_lost(db, error);
		return;
	}
	for (i = 0; db->ckeys[i] != NULL; i++)
		;
	keys = xcalloc(i + 4, sizeof *keys);
	vals = xcalloc(i + 4, sizeof *vals);
	for (i = 0; db->ckeys[i] != NULL; i++) {
		if (strcmp(db->ckeys[i], "host") == 0 ||
		    strcmp(db->ckeys[i], "hostaddr") == 0 ||
		    strcmp(db->ckeys[i], "port") == 0)
			continue;
		keys[n] = db->ckeys[i];
		vals[n++] = db->cvals[i];
	}
	keys[n] = "host";
	vals[n++] = host;
	keys[n] = "hostaddr";
	vals[n++] = hostaddr;
	keys[n] = "port";
	vals[n++] = port;
	db_connect_start(db, keys, vals);
	free(keys);
	free(vals);
	db_resolve_drop(db);
}

int
db_connect(struct db *db, const char *const *keys, const char *const *vals,
    int timeout_ms)
{
	struct timeval tv;
	size_t i, n;

	if (db->state != DB_DOWN)
		return -EBUSY;
	if (db->ev_timeout == NULL)
		db->ev_timeout = evtimer_new(db->base, db_on_timeout, db);
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(db->ev_timeout, &tv);
	db->resolving = db_resolve_start(db->base, db->dns,
	    db_param(keys, vals, "host"), db_param(keys, vals, "hostaddr"),
	    db_param(keys, vals, "port"), db_on_resolved, db);
	if (db->resolving == NULL) {
		db_connect_start(db, keys, vals);
		return 0;
	}
	for (n = 0; keys[n] != NULL; n++)
		;
	db->ckeys = xcalloc(n + 1, sizeof *db->ckeys);
	db->cvals = xcalloc(n + 1, sizeof *db->cvals);
	for (i = 0; i < n; i++) {
		db->ckeys[i] = xstrdup(keys[i]);
		db->cvals[i] = xstrdup(vals[i] != NULL ? vals[i] : "");
	}
	db->state = DB_CONNECTING;
	return 0;
}

/* FATAL or PANIC: the server is ending the session. */
static bool
db_result_fatal(const PGresult *res)
{
	const char *sev = PQresultErrorField(res,
	    PG_DIAG_SEVERITY_NONLOCALIZED);

	return sev != NULL && (strcmp(sev, "FATAL") == 0 ||
	    strcmp(sev, "PANIC") == 0);
}

static void
db_notice(void *arg, const PGresult *res)
{
	struct db *db = arg;

	log_debug("%s session: %s", db->name, PQresultErrorMessage(res));
	/*
	 * A FATAL outside a query (pg_terminate_backend, a timeout): the
	 * backend releases its locks before its socket closes, so waiting for
	 * end of file would let another daemon take the lock while this one
	 * still thinks it holds it. Report the loss now, from the loop.
	 */
	if (db_result_fatal(res) && db->state == DB_UP) {
		db_set_error(db, PQresultErrorMessage(res));
		event_active(db->ev_defer, 0, 0);
	}
}

static void
db_poll_connect(struct db *db)
{
	switch (PQconnectPoll(db->pg)) {
	case PGRES_POLLING_READING:
		if (db_watch(db, false) < 0)
			db_lost(db, PQerrorMessage(db->pg));
		return;
	case PGRES_POLLING_WRITING:
		if (db_watch(db, true) < 0)
			db_lost(db, PQerrorMessage(db->pg));
		return;
	case PGRES_POLLING_FAILED:
		db_lost(db, PQerrorMessage(db->pg));
		return;
	case PGRES_POLLING_OK:
	default:
		break;
	}
	evtimer_del(db->ev_timeout);
	db->state = DB_UP;
	db_set_error(db, "");
	PQsetNoticeReceiver(db->pg, db_notice, db);
	if (PQsetnonblocking(db->pg, 1) != 0 || db_watch(db, false) < 0) {
		db_lost(db, PQerrorMessage(db->pg));
		return;
	}
	if (db->cb.connected != NULL)
		db->cb.connected(db, db->arg);
}

static void
db_flush(struct db *db)
{
	int r = PQflush(db->pg);

	if (r < 0) {
		db_lost(db, PQerrorMessage(db->pg));
		return;
	}
	if (db_watch(db, r == 1) < 0)
		db_lost(db, PQerrorMessage(db->pg));
}

static void
db_on_write(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	db->want_write = false;
	if (db->state == DB_CONNECTING)
		db_poll_connect(db);
	else if (db->state == DB_UP)
		db_flush(db);
}

static void
db_dispatch_notifies(struct db *db)
{
	PGnotify *n;

	while (db->pg != NULL && (n = PQnotifies(db->pg)) != NULL) {
		if (db->cb.notify != NULL)
			db->cb.notify(db, n->relname, n->extra, db->arg);
		PQfreemem(n);
	}
}

static void
db_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	if (db->state == DB_CONNECTING) {
		db_poll_connect(db);
		return;
	}
	if (db->state != DB_UP)
		return;
	if (PQconsumeInput(db->pg) == 0) {
		db_lost(db, PQerrorMessage(db->pg));
		return;
	}
	db_dispatch_notifies(db);
	if (db->state == DB_UP && db->batch != NULL)
		db_drive(db);
	else if (db->state == DB_UP && PQstatus(db->pg) == CONNECTION_BAD)
		db_lost(db, PQerrorMessage(db->pg));
}

static int
db_send_one(struct db *db, struct db_batch *b, size_t i)
{
	int ok;

	if (b->pipeline || b->nparams[i] > 0)
		ok = PQsendQueryParams(db->pg, b->sql[i], b->nparams[i], NULL,
		    (const char *const *)b->params[i], NULL, NULL, 0);
	else
		ok = PQsendQuery(db->pg, b->sql[i]);
	return ok ? 0 : -EIO;
}

/* Complete the batch: hand results to the callback, then free them. */
static void
db_complete(struct db *db)
{
	struct db_batch *b = db->batch;
	struct db_result r;

	db->batch = NULL;
	if (b->pipeline && PQpipelineStatus(db->pg) != PQ_PIPELINE_OFF &&
	    PQexitPipelineMode(db->pg) == 0)
		log_debug("%s session: cannot leave pipeline mode: %s",
		    db->name, PQerrorMessage(db->pg));
	memset(&r, 0, sizeof r);
	r.n = b->n;
	r.res = b->res;
	r.failed = b->failed;
	r.err = b->failed >= 0 ? b->res[b->failed] : NULL;
	if (b->cb != NULL)
		b->cb(db, &r, b->arg);
	db_batch_free(b);
	if (db->state == DB_UP && db->batch == NULL &&
	    (b = TAILQ_FIRST(&db->pending)) != NULL) {
		TAILQ_REMOVE(&db->pending, b, entry);
		db_start(db, b);
	} else if (db->state == DB_UP && db->batch == NULL)
		event_active(db->ev_idle, 0, 0);
}

static bool
db_result_failed(const PGresult *res)
{
	switch (PQresultStatus(res)) {
	case PGRES_BAD_RESPONSE:
	case PGRES_FATAL_ERROR:
	case PGRES_NONFATAL_ERROR:
		return true;
	default:
		return false;
	}
}

/* Store res as statement i's result (keeping the first error). */
static void
db_store(struct db_batch *b, size_t i, PGresult *res)
{
	if (i >= b->n) {
		PQclear(res);
		return;
	}
	if (b->res[i] != NULL && db_result_failed(b->res[i])) {
		PQclear(res);
		return;
	}
	PQclear(b->res[i]);
	b->res[i] = res;
	if (db_result_failed(res) && b->failed < 0)
		b->failed = (ssize_t)i;
}

/* Read every result that is ready; complete the batch when done. */
static void
db_drive(struct db *db)
{
	struct db_batch *b = db->batch;
	PGresult *res;
	char *why;

	while (db->batch == b && !PQisBusy(db->pg)) {
		res = PQgetResult(db->pg);
		if (res != NULL && db_result_fatal(res)) {
			/* the session ends (see db_notice): lost now */
			why = xstrdup(PQresultErrorMessage(res));
			PQclear(res);
			db_lost(db, why);
			free(why);
			return;
		}
		if (b->pipeline) {
			if (res == NULL) {
				/* end of one statement's results */
				if (b->cur < b->n)
					b->cur++;
				continue;
			}
			if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
				PQclear(res);
				b->synced = true;
				db_complete(db);
				return;
			}
			if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
				PQclear(res);
				continue;
			}
			db_store(b, b->cur, res);
			continue;
		}
		if (res != NULL) {
			db_store(b, b->cur, res);
			continue;
		}
		/* simple mode: statement cur is done */
		b->cur++;
		if (b->failed >= 0 || b->cur >= b->n) {
			db_complete(db);
			return;
		}
		if (db_send_one(db, b, b->cur) < 0) {
			db_lost(db, PQerrorMessage(db->pg));
			return;
		}
		db_flush(db);
		if (db->batch != b)
			return;
	}
	if (db->batch == b && PQstatus(db->pg) == CONNECTION_BAD)
		db_lost(db, PQerrorMessage(db->pg));
}

/* Send b (which becomes the batch in flight). */
static void
db_start(struct db *db, struct db_batch *b)
{
	size_t i;

	db->batch = b;
	if (b->pipeline) {
		if (PQenterPipelineMode(db->pg) == 0)
			goto fail;
		for (i = 0; i < b->n; i++)
			if (db_send_one(db, b, i) < 0)
				goto fail;
		if (PQpipelineSync(db->pg) == 0)
			goto fail;
	} else if (db_send_one(db, b, 0) < 0)
		goto fail;
	db_flush(db);
	return;
fail:
	/* report from the loop, never from inside the caller */
	db_set_error(db, PQerrorMessage(db->pg));
	event_active(db->ev_defer, 0, 0);
}

int
db_batch(struct db *db, bool pipeline, size_t n, const struct db_query *q,
    db_batch_cb cb, void *arg)
{
	char **sql, ***params;
	int *nparams;
	size_t i;
	int j;

	if (db->state != DB_UP)
		return -ENOTCONN;
	if (n == 0 || cb == NULL)
		fatal("db_batch: empty batch or no callback");
	sql = xcalloc(n, sizeof *sql);
	nparams = xcalloc(n, sizeof *nparams);
	params = xcalloc(n, sizeof *params);
	for (i = 0; i < n; i++) {
		sql[i] = xstrdup(q[i].sql);
		nparams[i] = q[i].nparams;
		params[i] = xcalloc(q[i].nparams + 1, sizeof(char *));
		for (j = 0; j < q[i].nparams; j++)
			params[i][j] = q[i].params[j] != NULL ?
			    xstrdup(q[i].params[j]) : NULL;
	}
	return db_batch_take(db, pipeline, n, sql, nparams, params, cb, arg);
}

int
db_batch_take(struct db *db, bool pipeline, size_t n, char **sql,
    int *nparams, char ***params, db_batch_cb cb, void *arg)
{
	struct db_batch *b;

	if (n == 0 || cb == NULL)
		fatal("db_batch: empty batch or no callback");
	b = xcalloc(1, sizeof *b);
	b->pipeline = pipeline;
	b->n = n;
	b->failed = -1;
	b->cb = cb;
	b->arg = arg;
	b->sql = sql;
	b->nparams = nparams;
	b->params = params;
	b->res = xcalloc(n, sizeof *b->res);
	if (db->state != DB_UP) {
		b->cb = NULL;
		db_batch_free(b);
		return -ENOTCONN;
	}
	if (db->batch != NULL)
		TAILQ_INSERT_TAIL(&db->pending, b, entry);
	else
		db_start(db, b);
	return 0;
}

int
db_query1(struct db *db, const char *sql, int nparams,
    const char *const *params, db_batch_cb cb, void *arg)
{
	struct db_query q = { sql, nparams, params };

	return db_batch(db, true, 1, &q, cb, arg);
}

void
db_forget(struct db *db, void *arg)
{
	struct db_batch *b;

	if (db->batch != NULL && db->batch->arg == arg)
		db->batch->cb = NULL;
	TAILQ_FOREACH(b, &db->pending, entry)
		if (b->arg == arg)
			b->cb = NULL;
}
