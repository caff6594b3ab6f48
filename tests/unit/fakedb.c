/* SPDX-License-Identifier: MIT */
/* fakedb.c: daemon/db.h on an in-memory database model: the sessions. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "fakedb-int.h"
#include "log.h"
#include "xmalloc.h"

struct fk_batch {
	TAILQ_ENTRY(fk_batch) entry;
	bool pipeline;
	size_t n, cur;
	char **sql;
	int *nparams;
	char ***params;
	PGresult **res;
	ssize_t failed;
	db_batch_cb cb;
	void *arg;
};

struct fk_rule {
	LIST_ENTRY(fk_rule) entry;
	char *match;
	char *sqlstate, *message; /* fail */
	int times;
	bool hold, holding, released;
	struct db *db; /* holding: whose statement */
	int nth;       /* before: countdown */
	void (*fn)(void *);
	void *arg;
};

struct fk_seen {
	LIST_ENTRY(fk_seen) entry;
	char *sql;
};

static LIST_HEAD(, db) fk_dbs = LIST_HEAD_INITIALIZER(fk_dbs);
static LIST_HEAD(, fk_rule) fk_rules = LIST_HEAD_INITIALIZER(fk_rules);
static LIST_HEAD(, fk_seen) fk_seen = LIST_HEAD_INITIALIZER(fk_seen);
static int fk_next_pid = 1000;

/* ---- rules -------------------------------------------------------------- */

/* match: a substring of sql, or "=SQL" for the whole statement. */
static bool
fk_matches(const char *sql, const char *match)
{
	if (match[0] == '=')
		return strcmp(sql, match + 1) == 0;
	return strstr(sql, match) != NULL;
}

static struct fk_rule *
fk_rule_new(const char *match)
{
	struct fk_rule *r;

	r = xcalloc(1, sizeof *r);
	r->match = xstrdup(match);
	LIST_INSERT_HEAD(&fk_rules, r, entry);
	return r;
}

static void
fk_rule_free(struct fk_rule *r)
{
	LIST_REMOVE(r, entry);
	free(r->match);
	free(r->sqlstate);
	free(r->message);
	free(r);
}

void
fakedb_fail(const char *match, const char *sqlstate, const char *message,
    int times)
{
	struct fk_rule *r = fk_rule_new(match);

	r->sqlstate = xstrdup(sqlstate);
	r->message = xstrdup(message);
	r->times = times;
}

void
fakedb_hold(const char *match)
{
	fk_rule_new(match)->hold = true;
}

void
fakedb_before(const char *match, int nth, void (*fn)(void *), void *arg)
{
	struct fk_rule *r = fk_rule_new(match);

	r->nth = nth;
	r->fn = fn;
	r->arg = arg;
}

bool
fakedb_held(const char *match)
{
	struct fk_rule *r;

	LIST_FOREACH(r, &fk_rules, entry)
	if (r->hold && r->holding && !r->released &&
	    strcmp(r->match, match) == 0)
		return true;
	return false;
}

size_t
fakedb_count(const char *match)
{
	struct fk_seen *s;
	size_t n = 0;

	LIST_FOREACH(s, &fk_seen, entry)
	if (fk_matches(s->sql, match))
		n++;
	return n;
}

/*
 * Apply the rules to statement sql: *hold when it must wait, else the
 * result of a failing rule, or NULL for the model to answer.
 */
static PGresult *
fk_rules_for(struct db *db, const char *sql, bool *hold)
{
	struct fk_rule *r, *next;
	PGresult *res;

	*hold = false;
	for (r = LIST_FIRST(&fk_rules); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		if (!fk_matches(sql, r->match))
			continue;
		if (r->hold) {
			if (r->released) {
				fk_rule_free(r); /* runs now */
				continue;
			}
			r->holding = true;
			r->db = db;
			*hold = true;
			return NULL;
		}
		if (r->fn != NULL) {
			if (--r->nth > 0)
				continue;
			r->fn(r->arg);
			fk_rule_free(r);
			continue;
		}
		if (r->sqlstate != NULL && r->times != 0) {
			res = fk_error(r->sqlstate, r->message);
			if (r->times > 0 && --r->times == 0)
				fk_rule_free(r);
			return res;
		}
	}
	return NULL;
}

/* ---- sessions ----------------------------------------------------------- */

static void fk_step(evutil_socket_t, short, void *);
static void fk_on_idle(evutil_socket_t, short, void *);
static void fk_on_conn(evutil_socket_t, short, void *);

void
fakedb_release(const char *match)
{
	struct fk_rule *r;
	struct db *db;

	LIST_FOREACH(r, &fk_rules, entry)
	if (r->hold && r->holding && !r->released &&
	    strcmp(r->match, match) == 0) {
		r->released = true;
		break;
	}
	LIST_FOREACH(db, &fk_dbs, entry)
	if (db->batch != NULL)
		event_active(db->ev_step, 0, 0);
}

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
	db->last_error = xstrdup("");
	TAILQ_INIT(&db->pending);
	db->ev_step = event_new(base, -1, 0, fk_step, db);
	db->ev_idle = event_new(base, -1, 0, fk_on_idle, db);
	db->ev_conn = event_new(base, -1, 0, fk_on_conn, db);
	LIST_INSERT_HEAD(&fk_dbs, db, entry);
	return db;
}

static void
fk_batch_free(struct fk_batch *b)
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
		fk_clear(b->res[i]);
	}
	free(b->sql);
	free(b->nparams);
	free(b->params);
	free(b->res);
	free(b);
}

/*
 * The backend ends: its transaction rolls back, its lock is released, the
 * statement it held is gone.
 */
static void
fk_backend_gone(struct db *db)
{
	struct fk_rule *r, *next;

	for (r = LIST_FIRST(&fk_rules); r != NULL; r = next) {
		next = LIST_NEXT(r, entry);
		if (r->hold && r->holding && r->db == db)
			fk_rule_free(r);
	}
	fk_end(db, false);
	if (fakedb.holder == db)
		fakedb.holder = NULL;
	free(db->marker);
	db->marker = NULL;
	if (db->pg != NULL)
		PQfinish(db->pg);
	db->pg = NULL;
	db->state = FK_DOWN;
	event_del(db->ev_step);
	event_del(db->ev_idle);
	event_del(db->ev_conn);
}

void
db_close(struct db *db)
{
	struct fk_batch *b;

	fk_backend_gone(db);
	fk_batch_free(db->batch);
	db->batch = NULL;
	while ((b = TAILQ_FIRST(&db->pending)) != NULL) {
		TAILQ_REMOVE(&db->pending, b, entry);
		fk_batch_free(b);
	}
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	db_close(db);
	LIST_REMOVE(db, entry);
	event_free(db->ev_step);
	event_free(db->ev_idle);
	event_free(db->ev_conn);
	free(db->name);
	free(db->last_error);
	free(db);
}

bool
db_is_up(const struct db *db)
{
	return db->state == FK_UP;
}

bool
db_is_idle(const struct db *db)
{
	return db->state == FK_UP && db->batch == NULL;
}

PGconn *
db_pg(const struct db *db)
{
	return db->state == FK_UP ? db->pg : NULL;
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
	return db->state == FK_UP ? db->pid : 0;
}

void
db_set_resolver(struct db *db, struct evdns_base *dns)
{
	(void)db;
	(void)dns;
}

int
db_connect(struct db *db, const char *const *keys, const char *const *vals,
    int timeout_ms)
{
	(void)timeout_ms;
	if (db->state != FK_DOWN)
		return -EBUSY;
	/* never connected (the URL names no server): PQdb() and friends */
	db->pg = PQconnectStartParams(keys, vals, 0);
	db->state = FK_CONNECTING;
	event_active(db->ev_conn, 0, 0);
	return 0;
}

void
fakedb_lose(struct db *db, const char *why)
{
	TAILQ_HEAD(, fk_batch) failed;
	struct fk_batch *b;
	struct db_result r;

	if (db->state == FK_DOWN)
		return;
	free(db->last_error);
	db->last_error = xstrdup(why);
	TAILQ_INIT(&failed);
	if (db->batch != NULL)
		TAILQ_INSERT_TAIL(&failed, db->batch, entry);
	db->batch = NULL;
	TAILQ_CONCAT(&failed, &db->pending, entry);
	fk_backend_gone(db);
	while ((b = TAILQ_FIRST(&failed)) != NULL) {
		TAILQ_REMOVE(&failed, b, entry);
		memset(&r, 0, sizeof r);
		r.n = b->n;
		r.res = b->res;
		r.failed = b->failed >= 0 ? b->failed : (ssize_t)b->cur;
		r.conn_lost = true;
		r.conn_error = db->last_error;
		if (b->cb != NULL)
			b->cb(db, &r, b->arg);
		fk_batch_free(b);
	}
	if (db->cb.lost != NULL)
		db->cb.lost(db, db->last_error, db->arg);
}

static void
fk_on_conn(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	(void)fd;
	(void)what;
	if (db->state != FK_CONNECTING)
		return;
	if (fakedb.refuse_connect) {
		fakedb_lose(db, "connection to server failed: refused");
		return;
	}
	db->state = FK_UP;
	db->pid = fk_next_pid++;
	free(db->last_error);
	db->last_error = xstrdup("");
	if (db->cb.connected != NULL)
		db->cb.connected(db, db->arg);
}

static void
fk_on_idle(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;

	(void)fd;
	(void)what;
	if (db_is_idle(db) && TAILQ_EMPTY(&db->pending) && db->cb.idle != NULL)
		db->cb.idle(db, db->arg);
}

static void
fk_complete(struct db *db)
{
	struct fk_batch *b = db->batch;
	struct db_result r;

	db->batch = NULL;
	memset(&r, 0, sizeof r);
	r.n = b->n;
	r.res = b->res;
	r.failed = b->failed;
	r.err = b->failed >= 0 ? b->res[b->failed] : NULL;
	if (b->cb != NULL)
		b->cb(db, &r, b->arg);
	fk_batch_free(b);
	if (db->state == FK_UP && db->batch == NULL &&
	    (b = TAILQ_FIRST(&db->pending)) != NULL) {
		TAILQ_REMOVE(&db->pending, b, entry);
		db->batch = b;
		event_active(db->ev_step, 0, 0);
	} else if (db->state == FK_UP && db->batch == NULL)
		event_active(db->ev_idle, 0, 0);
}

static void
fk_seen_add(const char *sql)
{
	struct fk_seen *s;

	s = xcalloc(1, sizeof *s);
	s->sql = xstrdup(sql);
	LIST_INSERT_HEAD(&fk_seen, s, entry);
}

/* Run the batch in flight as far as it goes. */
static void
fk_step(evutil_socket_t fd, short what, void *arg)
{
	struct db *db = arg;
	struct fk_batch *b = db->batch;
	PGresult *res;
	bool hold;
	size_t i;

	(void)fd;
	(void)what;
	if (b == NULL || db->state != FK_UP)
		return;
	while (b->cur < b->n) {
		i = b->cur;
		if (b->failed >= 0) {
			b->cur++; /* pipeline: skipped after a failure */
			continue;
		}
		res = fk_rules_for(db, b->sql[i], &hold);
		if (db->batch != b)
			return; /* a rule's action broke the session */
		if (hold)
			return; /* fakedb_release() steps again */
		fk_seen_add(b->sql[i]);
		if (res == NULL && db->aborted &&
		    strncmp(b->sql[i], "ROLLBACK", 8) != 0 &&
		    strcmp(b->sql[i], "COMMIT") != 0)
			res = fk_error("25P02",
			    "current transaction is "
			    "aborted, commands ignored until end of "
			    "transaction block");
		if (res == NULL)
			res = fk_model(db, b->sql[i], b->nparams[i],
			    b->params[i]);
		b->res[i] = res;
		b->cur++;
		if (PQresultStatus(res) == PGRES_FATAL_ERROR) {
			b->failed = (ssize_t)i;
			if (db->in_txn)
				db->aborted = true;
			if (!b->pipeline)
				break;
		}
	}
	fk_complete(db);
}

int
db_batch(struct db *db, bool pipeline, size_t n, const struct db_query *q,
    db_batch_cb cb, void *arg)
{
	struct fk_batch *b;
	size_t i;
	int j;

	if (db->state != FK_UP)
		return -ENOTCONN;
	if (n == 0 || cb == NULL)
		fatal("db_batch: empty batch or no callback");
	b = xcalloc(1, sizeof *b);
	b->pipeline = pipeline;
	b->n = n;
	b->failed = -1;
	b->cb = cb;
	b->arg = arg;
	b->sql = xcalloc(n, sizeof *b->sql);
	b->nparams = xcalloc(n, sizeof *b->nparams);
	b->params = xcalloc(n, sizeof *b->params);
	b->res = xcalloc(n, sizeof *b->res);
	for (i = 0; i < n; i++) {
		b->sql[i] = xstrdup(q[i].sql);
		b->nparams[i] = q[i].nparams;
		b->params[i] = xcalloc((size_t)q[i].nparams + 1,
		    sizeof(char *));
		for (j = 0; j < q[i].nparams; j++)
			b->params[i][j] = q[i].params[j] != NULL ?
			    xstrdup(q[i].params[j]) :
			    NULL;
	}
	if (db->batch != NULL)
		TAILQ_INSERT_TAIL(&db->pending, b, entry);
	else {
		db->batch = b;
		event_active(db->ev_step, 0, 0);
	}
	return 0;
}

/* As the real one takes the strings: copied by db_batch(), then freed. */
int
db_batch_take(struct db *db, bool pipeline, size_t n, char **sql, int *nparams,
    char ***params, db_batch_cb cb, void *arg)
{
	struct db_query *q = xcalloc(n + 1, sizeof *q);
	size_t i;
	int j, r;

	for (i = 0; i < n; i++) {
		q[i].sql = sql[i];
		q[i].nparams = nparams[i];
		q[i].params = (const char *const *)params[i];
	}
	r = db_batch(db, pipeline, n, q, cb, arg);
	for (i = 0; i < n; i++) {
		free(sql[i]);
		for (j = 0; j < nparams[i]; j++)
			free(params[i][j]);
		free(params[i]);
	}
	free(sql);
	free(nparams);
	free(params);
	free(q);
	return r;
}

int
db_query1(struct db *db, const char *sql, int nparams,
    const char *const *params, db_batch_cb cb, void *arg)
{
	struct db_query q;

	q.sql = sql;
	q.nparams = nparams;
	q.params = params;
	return db_batch(db, true, 1, &q, cb, arg);
}

void
db_forget(struct db *db, void *arg)
{
	struct fk_batch *b;

	if (db->batch != NULL && db->batch->arg == arg)
		db->batch->cb = NULL;
	TAILQ_FOREACH(b, &db->pending, entry)
	if (b->arg == arg)
		b->cb = NULL;
}

void
fakedb_notify(struct db *db, const char *channel, const char *payload)
{
	if (db->state == FK_UP && db->cb.notify != NULL)
		db->cb.notify(db, channel, payload, db->arg);
}

void
fakedb_reset(void)
{
	struct fk_rule *r;
	struct fk_seen *s;

	while ((r = LIST_FIRST(&fk_rules)) != NULL)
		fk_rule_free(r);
	while ((s = LIST_FIRST(&fk_seen)) != NULL) {
		LIST_REMOVE(s, entry);
		free(s->sql);
		free(s);
	}
	fk_model_reset();
}
