/* SPDX-License-Identifier: MIT */
/* fakedb.h: a fake of daemon/db.h for unit tests of the daemon core. */
#ifndef MIGRATED_FAKEDB_H
#define MIGRATED_FAKEDB_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"

/*
 * tests/unit/fakedb.c implements daemon/db.h without a server: every
 * session of the daemon talks to one in-memory model of a database that
 * answers the statements the daemon sends (advisory lock, state tables,
 * version rows, history, the plan's guard) the way PostgreSQL would, and
 * treats any other statement (a migration's) as a success. Results come
 * from the event loop, never from inside db_batch(), as with libpq.
 *
 * The model knows the daemon's statements by their text (fakedb-model.c,
 * fk_model): a change to the daemon's SQL may need the same change there;
 * an unknown statement succeeds with no rows, so a test that depends on
 * it fails rather than passes.
 *
 * A test scripts what is not ordinary: a statement that fails, one that
 * waits until released, a foreign writer acting before a statement, a
 * session that breaks. Nothing depends on timing.
 */

#define FAKEDB_MAX_ROWS 64

/*
 * The history's latest non-transactional upgrade or downgrade that no
 * `resolve` followed: what the dirty check reads. The daemon's own steps
 * write it (the 'running' insert, then outcome ok or failed); a test sets
 * one with fakedb_set_nt() as a crashed or another daemon left it.
 */
struct fakedb_nt {
	bool set;
	char revision[64], operation[16], outcome[16];
	char host[64], pid[16];
	char instance[64]; /* "": NULL, a row of a version before ids */
};

struct fakedb_model {
	char *rows[FAKEDB_MAX_ROWS]; /* version rows, byte order */
	size_t nrows;
	bool tables;	     /* the state tables exist */
	struct db *holder;   /* the session holding the lock */
	bool other_holder;   /* another daemon holds the lock */
	bool refuse_connect; /* new sessions fail */
	long history_rows;   /* rows inserted into the history */
	struct fakedb_nt nt; /* the dirty check's row */
};

extern struct fakedb_model fakedb;

/* Forget every rule, session and row: a fresh, empty database. */
void fakedb_reset(void);

/* Rows as a foreign writer would leave them (copied, sorted). */
void fakedb_set_rows(const char *const *rows, size_t n);
/* The rows, comma-separated (static buffer). */
const char *fakedb_rows_text(void);
/* An upgrade's running row written by host:pid with instance (NULL: none). */
void fakedb_set_nt(const char *revision, const char *host, long pid,
    const char *instance);

/*
 * A match is a substring of the statement, or "=SQL" for exactly SQL.
 *
 * The next `times` statements containing match fail with sqlstate and
 * message (times < 0: all of them).
 */
void fakedb_fail(const char *match, const char *sqlstate, const char *message,
    int times);
/*
 * The next statement containing match waits, its batch in flight, until
 * fakedb_release(match); fakedb_held(match) says whether one waits now.
 */
void fakedb_hold(const char *match);
bool fakedb_held(const char *match);
void fakedb_release(const char *match);
/* Before the nth (1-based) next statement containing match, call fn. */
void fakedb_before(const char *match, int nth, void (*fn)(void *), void *arg);

/* How many statements containing match ran (succeeded or failed). */
size_t fakedb_count(const char *match);

/* The session breaks (a terminated backend): as libpq reports it. */
void fakedb_lose(struct db *db, const char *why);
/* A NOTIFY arrives on db. */
void fakedb_notify(struct db *db, const char *channel, const char *payload);

#endif
