/* SPDX-License-Identifier: MIT */
/* db.h: one asynchronous libpq session driven by libevent. */
#ifndef MIGRATED_DB_H
#define MIGRATED_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <event2/event.h>
#include <libpq-fe.h>
#include "xmalloc.h"

struct db;

struct db_callbacks {
	/* the session is up (after PQconnectPoll said OK) */
	void (*connected)(struct db *db, void *arg);
	/*
	 * The session failed or broke; why is libpq's message. A batch in
	 * flight has already been completed with conn_lost set.
	 */
	void (*lost)(struct db *db, const char *why, void *arg);
	/*
	 * The session went idle: connected, no batch in flight or waiting.
	 * Called from the loop; the one event whoever waits for the session
	 * is kicked by.
	 */
	void (*idle)(struct db *db, void *arg);
	/* an asynchronous NOTIFY arrived */
	void (*notify)(struct db *db, const char *channel, const char *payload,
	    void *arg);
};

/* One statement of a batch; sql and params are copied by db_batch(). */
struct db_query {
	const char *sql;
	int nparams;
	const char *const *params;	/* text format; NULL entries = NULL */
};

/* What a batch produced; valid only during the callback. */
struct db_result {
	size_t n;			/* statements in the batch */
	PGresult **res;			/* last result per statement, or NULL */
	ssize_t failed;			/* first failing statement, -1 if none */
	const PGresult *err;		/* its error result (NULL if conn lost) */
	bool conn_lost;
	const char *conn_error;		/* libpq's message when conn_lost */
};

typedef void (*db_batch_cb)(struct db *db, const struct db_result *r,
    void *arg);

/* A session named for logs ("lock", "read"). Caller frees with db_free(). */
struct db *db_new(struct event_base *base, const char *name,
    const struct db_callbacks *cb, void *arg);
void db_free(struct db *db);

/*
 * Start connecting with keys/vals (NULL-terminated, as for
 * PQconnectStartParams; dbname is a name, never expanded). Completion is reported by the
 * connected or lost callback, never from inside this call. -EBUSY if
 * not down.
 */
int db_connect(struct db *db, const char *const *keys,
    const char *const *vals, int timeout_ms) MIG_MUSTCHECK;
/*
 * Look host names up with dns (libevent's evdns) before connecting, and
 * pass the addresses as hostaddr with host: libpq's own look-up blocks.
 */
struct evdns_base;
void db_set_resolver(struct db *db, struct evdns_base *dns);
/* Drop the session (releasing its locks); no callback fires. */
void db_close(struct db *db);

bool db_is_up(const struct db *db);	/* connected */
bool db_is_idle(const struct db *db);	/* connected, no batch in flight */
PGconn *db_pg(const struct db *db);	/* borrowed; NULL when down */
const char *db_name(const struct db *db);
/* libpq's last connection error (borrowed), or "" */
const char *db_last_error(const struct db *db);

/*
 * Run n statements. pipeline: in libpq pipeline mode, one round trip,
 * statements after a failure are skipped (extended protocol: one statement
 * per text). Otherwise one by one with the simple protocol, stopping at the
 * first failure. cb (never NULL: every batch has an owner that learns
 * how it ended) is called exactly once, from the event loop, unless the
 * db is freed or closed first, or db_forget() dropped it. Batches queue
 * behind the one in flight. -ENOTCONN when down.
 */
int db_batch(struct db *db, bool pipeline, size_t n,
    const struct db_query *q, db_batch_cb cb, void *arg) MIG_MUSTCHECK;
/*
 * db_batch() without the copies: takes sql[n], nparams[n], params[n] and
 * the strings they hold (malloc'd; params[i] an array of nparams[i]
 * strings or NULLs), freed when the batch ends, or at once on an error.
 */
int db_batch_take(struct db *db, bool pipeline, size_t n, char **sql,
    int *nparams, char ***params, db_batch_cb cb, void *arg) MIG_MUSTCHECK;
/* One statement (pipeline mode, extended protocol). */
int db_query1(struct db *db, const char *sql, int nparams,
    const char *const *params, db_batch_cb cb, void *arg) MIG_MUSTCHECK;
/* Forget the in-flight batch's callback (its owner went away). */
void db_forget(struct db *db, void *arg);

/* Backend pid of the session (0 when down). */
int db_backend_pid(const struct db *db);

#endif
