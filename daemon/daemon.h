/* SPDX-License-Identifier: MIT */
/* daemon.h: the daemon's shared state and the interfaces between modules. */
#ifndef MIGRATED_DAEMON_H
#define MIGRATED_DAEMON_H

#include <sys/queue.h>
#include <sys/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "settings.h"
#include "db.h"
#include "merr.h"
#include "metrics.h"
#include "dirscan.h"
#include "migfile.h"
#include "revgraph.h"

#define NOTIFY_CHANNEL "migrated"
#define CONN_MAX_OUTPUT (1024u * 1024)	/* unread replies per client */
#define CONN_TOTAL_OUTPUT (32u * 1024 * 1024)	/* ... of all clients */
#define QUEUE_MAX 64			/* queued changing requests */
#define WAITERS_MAX 4096		/* waiting reads, all clients */
#define CONN_MAX_REQS 64		/* requests in flight per client */

/* A loaded migrations directory; reference counted (a plan keeps its own). */
struct revset {
	int refs;
	struct migset *set;
	struct revgraph *g;
	struct dirscan snap;	/* the directory as it was read */
};

/* revset.c */
int revset_load(const char *dir, struct revset **out,
    struct mdiag_list *diags) MIG_MUSTCHECK;
struct revset *revset_ref(struct revset *rs);
void revset_unref(struct revset *rs);
/* Indices of the rows known to rs (unknown ids skipped); caller frees. */
size_t *revset_rows_idx(const struct revset *rs, char *const *rows,
    size_t nrows, size_t *n);
/* JSON array of the ids of idx[0..n) (new reference). */
json_t *revset_ids_json(const struct revset *rs, const size_t *idx, size_t n);

/* The peer of a client connection, from SO_PEERCRED / SO_PEERGROUPS. */
struct peer {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	char *user;		/* from the cached passwd table, or "uid:N" */
	bool admin;		/* may change the schema */
};

struct conn {
	TAILQ_ENTRY(conn) entry;
	int refs;		/* the conn itself + each request in flight */
	bool dead;
	int fd;
	struct bufferevent *bev;
	struct peer peer;
};

struct op_entry;

/* One request, from a client or made by the daemon itself (conn NULL). */
struct req {
	TAILQ_ENTRY(req) entry;	/* change queue or waiter list */
	TAILQ_ENTRY(req) live;	/* D->reqs: every request not yet freed */
	struct conn *conn;	/* NULL: internal (auto-migrate) or gone */
	json_t *id;
	const struct op_entry *op;
	json_t *args;
	char *user;		/* requested_by */
	bool queued;		/* in the change queue */
	bool waiting;		/* in the waiter list */
	bool events;		/* forward events */
	int flags;		/* OP_* for this request (op_check) */
	void *data;		/* op-private state */
	void (*data_free)(void *);
	struct event *ev_timer;	/* op-private timer */
	uint64_t started_ms;
	char *reply;		/* the final line, encoded by the op (status) */
};

enum role { ROLE_STANDBY, ROLE_LEADER };

/* The in-memory picture of the database (state.c). */
struct dbstate {
	bool read;			/* the database was read at least once */
	char **rows;			/* version rows, sorted */
	size_t nrows;
	bool have_history;		/* the history table exists */
	bool dirty;
	json_t *dirty_info;		/* {revision, operation, started_at, error} */
	json_t *last_error;		/* last failed step not since done, or null */
	char **ck_rev;			/* recorded checksums: revision ... */
	char **ck_sum;			/* ... and its checksum (NULL: none) */
	size_t nck;
	json_t *leader;			/* {pid, host, application_name} or null */
	char as_of[40];
	/* derived by state_recompute() */
	enum rg_state state;
	json_t *drift;			/* [{revision, file, recorded, actual}] */
	/* schema.c: objects changed outside migrations, or null: unknown */
	json_t *schema_drift;		/* [{object, change}] */
	char *schema_note;		/* why null, or how many more */
	char schema_as_of[40];
};

struct runner;

#define INSTANCE_LEN 16			/* hex digits of an instance id */

struct daemon {
	struct settings cfg;
	struct event_base *base;
	struct revset *rs;
	char hostname[256];
	pid_t pid;
	char instance[INSTANCE_LEN + 1];	/* random, per start */
	char *app_name;			/* migrated@INSTANCE HOST:PID */
	char *username;			/* the daemon's own user */
	uid_t uid;
	gid_t admin_gid;
	bool have_admin_gid;
	int64_t lock_key;
	bool lock_key_known;
	char *schema_q;			/* "schema", quoted at load */
	char *vt;			/* "schema"."version_table" */
	char *vt_pkc;			/* "version_table_pkc" */
	char *ht;			/* "schema"."history_table" */
	char *vt_reg;			/* schema.table for to_regclass */
	char *ht_reg;
	char *dbname;

	struct evdns_base *dns;		/* host names, without blocking */
	struct db *lockdb;
	struct db *readdb;
	enum role role;
	bool read_connected;
	char *read_error;
	char *lock_error;

	struct dbstate st;

	TAILQ_HEAD(, req) queue;	/* changing requests, FIFO */
	size_t queue_len;
	struct req *running;		/* the request the runner works for */
	struct runner *runner;
	TAILQ_HEAD(, req) waiters;	/* wait/fresh requests */
	TAILQ_HEAD(, req) reqs;		/* every request not yet freed */
	size_t nwaiters;

	TAILQ_HEAD(, conn) conns;
	size_t nconns;
	int listen_fd;
	bool listen_activated;
	struct event *ev_listen;

	bool shutting_down;
	bool once;
	int exit_code;
	bool ready_sent;
	bool auto_pending;		/* auto-migrate asked, not yet queued */
};

extern struct daemon *D;

/* schema.c: schema drift (SPEC §8) */
void schema_start(void);
void schema_stop(void);
/* The leader records the fingerprints of the schema as it is now. */
void schema_record(void);
/* Compare the live catalog with the record; fn(arg, ok) when done. */
void schema_check_then(void (*fn)(void *, bool), void *arg);
void schema_forget(void *arg);
/* CREATE TABLE IF NOT EXISTS of migrated_schema; caller frees. */
char *schema_table_sql(void);

/* migrated.c */
/* milliseconds on CLOCK_MONOTONIC: for intervals and deadlines */
uint64_t now_ms(void);
/* milliseconds since the epoch: only for times shown to people */
uint64_t wall_ms(void);
void iso_time(char *buf, size_t size);
/* ms (wall_ms()) as ISO 8601 UTC with milliseconds */
void iso_time_at(char *buf, size_t size, uint64_t ms);
void daemon_exit_if_done(void);
void daemon_status_changed(void);
void daemon_free_state(void);
/* malloc_trim() a second from now, once however many ask */
void daemon_trim_soon(void);
/* A daemon-made request (auto-migrate, --once) finished. */
void daemon_internal_done(json_t *result, const struct merr *err);

/* server.c */
int server_listen(void) MIG_MUSTCHECK;
void server_close(void);
void server_load_users(void);
int server_peer(int fd, struct peer *peer) MIG_MUSTCHECK;

/* conn.c */
void conn_accept(int fd);
void conn_send(struct conn *c, char *line);	/* takes line */
/* Hold c's lines until the matching conn_uncork(), then send them at once. */
void conn_cork(struct conn *c);
void conn_uncork(struct conn *c);
struct conn *conn_ref(struct conn *c);
void conn_unref(struct conn *c);
void conn_close_all(void);

/* op.c */
enum { OP_DONE = 0, OP_WAIT = 1 };
#define OP_AUTH		0x01	/* needs an admin peer */
#define OP_QUEUED	0x02	/* runs one at a time in the change queue */
#define OP_LEADER	0x04	/* only the leader may run it */
#define OP_DURING_SHUTDOWN 0x08

struct op_entry {
	const char *name;
	int flags;
	const char *const *args;	/* allowed argument names */
	/* flags for this request, when args change them (e.g. sql: true) */
	int (*flags_of)(const json_t *args);
	/* OP_DONE with *result set, OP_WAIT, or < 0 with err set */
	int (*exec)(struct req *req, json_t **result, struct merr *err);
	/* the request is abandoned (shutdown, lost leadership) */
	void (*abort)(struct req *req, const struct merr *why);
	/* a waiter: the state changed, answer or op_wait_add() again */
	void (*recheck)(struct req *req);
};

void op_dispatch(struct conn *c, const char *line, size_t len);
struct req *op_internal(const char *opname, json_t *args);
void op_finish(struct req *req, json_t *result, const struct merr *err);
void op_event(struct req *req, const char *event, json_t *fields);
/* Whether req's client gets events; building one it does not is waste. */
bool op_wants_events(const struct req *req);
/* Send an encoded event line (taken over), as op_event(). */
void op_event_line(struct req *req, char *line);
void op_queue_kick(void);
/* fail the queued changes (not the running one, not the waiters) */
void op_abort_queue(enum merr_code code, const char *why);
/* the lock is lost: fail the queue and the waiters that need the lock;
 * reads (wait) go on, on the read session */
void op_leadership_lost(void);
/* ... and the waiters too (shutdown) */
void op_abort_all(enum merr_code code, const char *why);
void op_waiters_check(void);
/* req waits (a client that left is answered nowhere: dropped) */
void op_wait_add(struct req *req);
/* Re-read the database, then fn(req, ok); OP_WAIT, or db_unavailable
 * (err set) when the read session is down. */
int op_fresh(struct req *req, void (*fn)(void *, bool), struct merr *err)
    MIG_MUSTCHECK;
/* WAITERS_MAX requests wait already: refuse another with busy */
bool op_waiters_full(void);
/* c is gone: drop the requests that only wait for an answer to it */
void op_conn_lost(struct conn *c);
void op_stop(void);
void req_free(struct req *req);

/* op-wait.c */
/* state of the database against target; result: check's */
enum rg_state op_target_state(const char *target, json_t **result,
    struct merr *err);
/* [{revision, message}] of the steps of p (new reference) */
json_t *op_plan_json(const struct revgraph *g, const struct rg_plan *p);

/* op-admin.c */
/* reload the directory; auto_ok: new files may start an auto-migrate */
int op_reload_now(bool auto_ok, json_t **result, struct merr *err)
    MIG_MUSTCHECK;
/* a daemon-made request ended: answer the reloads waiting for it */
void op_reload_auto_done(const struct req *ireq, const json_t *result,
    const struct merr *err);

/* leader.c */
void leader_key_init(const char *dbname);
void leader_start(void);
void leader_stop(void);
bool leader_is(void);
/* the lock session's backend pid (0 when down) */
int leader_backend_pid(void);
/* Called by the runner when the lock session proved unusable. */
void leader_lost(const char *why);
void leader_announce(void);
void leader_tick(void);
void leader_on_notify(const char *payload);
/*
 * SQL that raises MGLCK unless this backend holds the lock, and MGPLN
 * unless the version rows, in byte order, are the text[] in the setting
 * migrated.expected_rows of the same transaction (caller frees).
 */
char *leader_check_sql(void);

/* conninfo.c */
/*
 * Read the connection settings as libpq would (url, else PG* variables
 * and the service file) and add the daemon's own (its options appended to
 * the user's). 0, or -EINVAL with *why set (caller frees).
 */
int conninfo_load(const char *url, char **why, const char **key)
    MIG_MUSTCHECK;
void conninfo_free(void);
/* Did the URL set key (else the PG* variables or the service file)? */
bool conninfo_from_url(const char *key);
/*
 * A port, hostaddr or host/port count libpq would refuse: the problem
 * (caller frees) and the key at fault, or NULL.
 */
char *conninfo_check(const char *host, const char *hostaddr,
    const char *port, const char **key);
/* keys/vals for PQconnectStartParams (expand_dbname 0); caller frees the
 * arrays, the strings are borrowed */
void conninfo_params(const char ***keys, const char ***vals);
/* {host, port, dbname, user} as configured (new reference) */
json_t *conninfo_target_json(void);

/* reconnect.c: one per session; tick runs when the timer fires while up */
struct reconnect {
	struct db *db;
	struct event *ev;
	int attempts;		/* failures since the session was last up */
	bool stopped;
	void (*tick)(void *arg);
	void *arg;
};
void reconnect_init(struct reconnect *rc, struct db *db,
    void (*tick)(void *), void *arg);
/* fire the timer in ms: connect if down, else tick */
void reconnect_at(struct reconnect *rc, int ms);
/* the session failed: retry after a capped, doubling delay (returned) */
int reconnect_lost(struct reconnect *rc);
/* connected: the next failure retries quickly again */
void reconnect_up(struct reconnect *rc);
void reconnect_stop(struct reconnect *rc);

/* tables.c */
/*
 * Check this role's privileges on the state tables and create the missing
 * ones (CREATE SCHEMA only for a schema that does not exist); then
 * done(NULL), or done(why) naming the missing privilege. Nothing is called
 * when the session is lost meanwhile.
 */
void tables_ensure(struct db *db, void (*done)(const char *why));

/* state.c */
void state_init(void);
void state_start(void);
void state_stop(void);
void state_refresh(void);
/* call cb when a refresh that starts now has finished */
void state_refresh_then(void (*cb)(void *arg, bool ok), void *arg);
/* the same, reading only the version rows when memory is known fresh */
void state_rows_then(void (*cb)(void *arg, bool ok), void *arg);
void state_recompute(void);
/* the plan to the heads (made on demand; borrowed node indices) */
const size_t *state_pending_idx(size_t *n);
/* its length; *any_empty (may be NULL): one has an empty upgrade */
size_t state_pending_count(bool *any_empty);
/* {revision, message[, empty, file]} of node k; the list (new refs) */
json_t *state_pending_entry(size_t k);
json_t *state_pending_json(void);
void state_set_rows(char **rows, size_t n);
/* indices (in D->rs) of the current rows; caller frees */
size_t *state_rows_idx(size_t *n);
void state_cancel_backend(int pid);
int state_query(const char *sql, int nparams, const char *const *params,
    db_batch_cb cb, void *arg) MIG_MUSTCHECK;
/* A batch whose result only matters when it fails: logs that (what is a
 * static string naming it). */
void state_on_ignored(struct db *db, const struct db_result *r, void *what);
void state_forget(void *arg);

/* status.c */
/* the status reply line for req, from the rendered document */
char *status_reply(const struct req *req);
/* something in the status document changed: render it again */
void status_invalidate(void);
json_t *state_status_json(void);
/* the version rows as a JSON array, null until read (new reference) */
json_t *state_rows_json(void);
/* history: a page of STATUS_HISTORY_PAGE revisions unless args say */
#define STATUS_HISTORY_PAGE 100
#define STATUS_HISTORY_MAX 1000
int state_history_json(const json_t *args, json_t **out, struct merr *err)
    MIG_MUSTCHECK;
/* "REV failed: FILE:LINE: message (SQLSTATE x)", or NULL */
char *status_last_error_line(void);

/* once.c: migrated --once COMMAND ARGS (issue 10 item 8) */
/* check the command line: -1 to go on, else the exit code */
int once_init(void);
bool once_is_command(void);
/* --once with a read: no lock is taken */
bool once_reads_only(void);
/* start the command once the database is read (and, for a change, led) */
void once_status_changed(void);
/* --lock-wait ran out: true when once.c took care of it */
bool once_lockwait(void);
void once_stop(void);

/* dirwatch.c: the files on disk are the files that run (issue 10 item 1) */
/* the directory changed since it was read: reload it; < 0 when broken */
int dirwatch_check(struct merr *err) MIG_MUSTCHECK;
/* watch = true: reload as files change (inotify) */
void dirwatch_start(void);
void dirwatch_stop(void);

/* op-upgrade.c: the checks of a plan, run again when it is re-planned */
/* refuse dirty, ahead (a row with no file in rs) and drift: < 0, err set */
int op_plan_guard(const struct revset *rs, struct merr *err) MIG_MUSTCHECK;
/* auto-migrate: cut plan short of empty revisions (issue 10 item 4) */
void op_plan_skip_empty(const struct req *req, const struct revset *rs,
    struct rg_plan *plan);
/* refuse irreversible downgrades and non-transactional steps in atomic */
int op_plan_check(const struct revset *rs, const struct rg_plan *p,
    bool atomic, struct merr *err) MIG_MUSTCHECK;

/* instance.c */
/* pick this run's instance id; sets D->instance and D->app_name */
void instance_init(void);
/* the instance id in a daemon's application_name, if it carries one */
bool instance_of_app(const char *app, char out[INSTANCE_LEN + 1]);

/* runner.c */
struct runner_opts {
	bool up;
	bool atomic;
	const char *requested_by;
	const size_t *target;	/* resolved target (copied): re-plans aim */
	size_t ntarget;		/* at it again */
};
/* Start executing plan (steps of rs) for req; finishes req itself. */
void runner_start(struct req *req, struct revset *rs, struct rg_plan *plan,
    const struct runner_opts *o);
bool runner_busy(void);
int runner_cancel(json_t **info);
/* a plan is cancelled; send its cancel again (a first one can be lost) */
bool runner_cancelled(void);
void runner_cancel_again(void);
/* lock session lost or shutdown: fail the running plan */
void runner_abort(const char *why, enum merr_code code);
json_t *runner_running_json(void);
/* is this daemon's runner inside the non-transactional step of revision? */
bool runner_running_nt(const char *revision);

/* lint-run.c */
/*
 * Lint plan (lint = warn or refuse), then runner_start() it or finish req
 * with lint_refused; lint = off: only its ACCESS EXCLUSIVE tables are
 * collected (for the blockers report), no finding. Takes plan.
 */
void lintrun_start(struct req *req, struct revset *rs, struct rg_plan *plan,
    const struct runner_opts *o);
/* A step starts: list the sessions that block its ACCESS EXCLUSIVE locks. */
void lintrun_step_started(struct req *req, const struct migfile *mf);
/* Those sessions (new reference), or null. */
json_t *lintrun_blockers_json(void);

/* notify.c is declared in notify.h */

#endif
