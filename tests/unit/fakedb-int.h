/* SPDX-License-Identifier: MIT */
/* fakedb-int.h: what fakedb.c (sessions) and fakedb-model.c share. */
#ifndef MIGRATED_FAKEDB_INT_H
#define MIGRATED_FAKEDB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/queue.h>

#include <event2/event.h>
#include <libpq-fe.h>

#include "fakedb.h"

struct fk_batch;

enum fk_state { FK_DOWN, FK_CONNECTING, FK_UP };

struct db {
	LIST_ENTRY(db) entry;
	char *name;
	struct event_base *base;
	struct db_callbacks cb;
	void *arg;
	enum fk_state state;
	PGconn *pg; /* never connected: PQdb() and friends */
	int pid;
	char *marker; /* set_config('migrated.session') */
	bool in_txn, aborted;
	char *snap[FAKEDB_MAX_ROWS]; /* rows at BEGIN */
	size_t nsnap;
	struct fk_batch *batch;
	TAILQ_HEAD(, fk_batch) pending;
	struct event *ev_step; /* runs the batch in flight */
	struct event *ev_idle;
	struct event *ev_conn; /* finishes a connect */
	char *last_error;
};

/* fakedb-model.c */
/* the database's answer to one statement of db (a new result) */
PGresult *fk_model(struct db *db, const char *sql, int np, char **p);
/* an error result with sqlstate and message (free with fk_clear) */
PGresult *fk_error(const char *sqlstate, const char *message);
void fk_clear(PGresult *res);
/* db's transaction ends: committed, or its rows restored */
void fk_end(struct db *db, bool commit);
void fk_model_reset(void);

#endif
