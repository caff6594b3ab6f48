/* SPDX-License-Identifier: MIT */
/* runner-sql.h: version-row sets and the SQL batches the runner sends. */
#ifndef MIGRATED_RUNNER_SQL_H
#define MIGRATED_RUNNER_SQL_H

#include <stdint.h>
#include "daemon.h"

/* A sorted set of version rows (revision ids). */
struct rowset {
	char **v;
	size_t n;
};

void rowset_clear(struct rowset *rs);
void rowset_from_idx(struct rowset *out, const struct revset *rs,
    const size_t *idx, size_t n);
void rowset_from_strs(struct rowset *out, char *const *v, size_t n);
json_t *rowset_json(const struct rowset *rs);
/*
 * The text of a text[] parameter holding rs, every element quoted
 * ("{\"a\",\"b\"}"): rows read from the database may hold anything.
 * Caller frees.
 */
char *rowset_array(const struct rowset *rs);

/*
 * s as an SQL string literal, for SQL text a person runs (the --sql dry
 * run); the daemon's own statements take values as parameters. Caller
 * frees.
 */
char *rsql_quote_literal(const char *s);

/* A batch under construction; every string in it is owned. */
struct rsql_batch {
	struct db_query *q;
	char ***params;
	size_t n, cap;
};

void rsql_init(struct rsql_batch *b);
void rsql_clear(struct rsql_batch *b);
/* Append sql (copied); returns its index. */
size_t rsql_add(struct rsql_batch *b, const char *sql, int nparams, ...);
/*
 * LOCK the version table and check lock + rows (MGLCK / MGPLN); with
 * lock_timeout, SET LOCAL it first (else the caller has set one).
 */
void rsql_add_lock(struct rsql_batch *b, const struct rowset *rows,
    const char *lock_timeout);
/* SET [LOCAL] lock_timeout / statement_timeout for mf (one statement). */
void rsql_add_timeouts(struct rsql_batch *b, const struct migfile *mf,
    bool local);
/* The section's statements; returns how many. */
size_t rsql_add_stmts(struct rsql_batch *b, const struct split_list *sl);
/* DELETE / INSERT turning version rows from into to (one statement). */
void rsql_version_change(struct rsql_batch *b, const struct rowset *from,
    const struct rowset *to);
/* A history row; started_ms 0 = the transaction's start (now()). */
void rsql_history(struct rsql_batch *b, const struct migfile *mf,
    const char *operation, const char *outcome, const char *error,
    const char *user, bool transactional, uint64_t started_ms);
/*
 * A transactional step's 'ok' row and the pg_notify after it, in one
 * statement (rsql_history(..., "ok", NULL, user, true, 0) + rsql_notify()).
 */
void rsql_history_notify(struct rsql_batch *b, const struct migfile *mf,
    const char *operation, const char *user);
/* A non-transactional step's 'running' row, RETURNING id. */
void rsql_nt_start(struct rsql_batch *b, const struct migfile *mf,
    const char *operation, const char *user);
void rsql_nt_done(struct rsql_batch *b, const char *id);
/*
 * Which statements of a non-transactional step are done (issue 10 item 5):
 * "STATEMENTS: 2 of 3 done (the last at FILE:12); FILE:14 may have run"
 * (ended: "did not complete"); caller frees. Kept in the running row's
 * error while the step runs, and after the error of a failed one.
 */
char *rsql_nt_progress(const char *path, const struct split_list *sl,
    size_t done, bool ended);
void rsql_nt_progress_row(struct rsql_batch *b, const char *id,
    const char *text);
void rsql_nt_failed(struct rsql_batch *b, const char *id, const char *msg);
/* A generic history row (stamp, resolve). */
void rsql_history_row(struct rsql_batch *b, const char *revision,
    const char *operation, const char *checksum, const char *message,
    const char *user);
/* RESET ALL, RESET ROLE: the session as it was before the step. */
void rsql_add_reset(struct rsql_batch *b);
/* pg_notify so other daemons refresh at commit. */
void rsql_notify(struct rsql_batch *b);
/* Its payload, {"type":"changed","app":APP_NAME} (kept; do not free). */
const char *rsql_notify_payload(void);
/* Send b on db (db_batch_take()); b is left empty, even on an error. */
int rsql_send(struct rsql_batch *b, struct db *db, bool pipeline,
    db_batch_cb cb) MIG_MUSTCHECK;

/*
 * runner-cic.c: before statement k (sql) of the non-transactional step
 * whose running row is hist_id. A named CREATE INDEX CONCURRENTLY: on its
 * first attempt, record the index of that name (or its absence); on a
 * retry, drop the index of that name if it is invalid and not the recorded
 * one (the cancelled attempt's). false: nothing to do, run sql; true:
 * done(err, arg) follows, err NULL (run sql) or the failed query's result.
 */
typedef void (*runner_cic_cb)(const PGresult *err, void *arg);
bool runner_cic_before(const char *op, const char *revision,
    const char *hist_id, size_t k, const char *sql, runner_cic_cb done,
    void *arg);
void runner_cic_clear(void);

/* runner-ev.c: the runner's events and its reply, without jansson */
struct runner_done { /* a step done, for the reply */
	const struct migfile *mf;
	uint64_t ms;
};
struct revgraph;
struct rg_plan;
void runner_ev_started(struct req *req, const struct migfile *mf, size_t index,
    size_t total);
void runner_ev_finished(struct req *req, const struct migfile *mf,
    uint64_t ms);
void runner_ev_planned(struct req *req, const struct revgraph *g,
    const struct rg_plan *plan);
/* {"from","to","steps":[{revision,operation,duration_ms}]}; takes to */
json_t *runner_result_json(const json_t *from, json_t *to,
    const struct runner_done *v, size_t n, const char *op);
/* The same as the reply line to id, NULL if jansson must write it. */
char *runner_result_line(const json_t *id, const json_t *from,
    const json_t *to, const struct runner_done *v, size_t n, const char *op);

/* guard.c: the guard statement of a step (a function call or a DO) */
void guard_add(struct rsql_batch *b);
/* (Re)create the guard function on the lock session, then done(arg). */
void guard_prepare(void (*done)(void *), void *arg);

#endif
