/* SPDX-License-Identifier: MIT */
/* client.h: blocking Unix-socket client for the control protocol. */
#ifndef MIGRATED_CLIENT_H
#define MIGRATED_CLIENT_H

#include <stdbool.h>
#include <jansson.h>

#include "ctl.h"
#include "proto.h"

/* Largest reply line accepted (history and --sql results can be big). */
#define CLIENT_MAX_LINE (256u * 1024 * 1024)
/* How long a connect() may retry a full backlog without --timeout. */
#define CLIENT_CONNECT_RETRY_MS 30000

struct client;

struct client_hooks {
	/* An event line of the pending request; rep is borrowed. */
	void (*event)(const struct proto_reply *rep, void *arg);
	/*
	 * Called every tick_ms (0: never) while waiting, and whenever a
	 * signal interrupts the wait. Return 0 to go on waiting, or a
	 * negative errno to give up (client_call() returns it).
	 */
	int (*tick)(void *arg);
	/* client_run(): called once before the outcome is printed. */
	void (*done)(void *arg);
	int tick_ms;
	void *arg;
};

/*
 * Connect to the daemon's socket within timeout_ms (-1: no limit).
 * Returns 0 and *out (free with client_free()), or a negative errno:
 * -ENOENT, -ECONNREFUSED (nobody listens), -EACCES, -ETIMEDOUT, ...
 */
int client_connect(const char *path, int timeout_ms, struct client **out)
    MIG_MUSTCHECK;
void client_free(struct client *c);

/*
 * Send one request and wait for its final line, delivering events to
 * hooks (may be NULL). timeout_ms bounds the wait for the final line
 * (-1: none). Returns 0 and *rep (release with proto_reply_clear()), or
 * -ETIMEDOUT, -ECONNRESET (closed before the final line), -EBADMSG (a
 * line that is not a reply), a hook's error, or another negative errno.
 */
int client_call(struct client *c, const char *op, const json_t *args,
    int timeout_ms, const struct client_hooks *hooks,
    struct proto_reply *rep) MIG_MUSTCHECK;

/* How long client_run() waits for the final line. */
enum client_wait {
	CLIENT_WAIT_READ,	/* --timeout, else CTL_READ_TIMEOUT_MS */
	CLIENT_WAIT_CHANGE,	/* --timeout, else no limit (queued changes) */
	CLIENT_WAIT_PROGRESS,	/* no limit: events keep it alive */
};

/*
 * Run one request as a migratectl verb: connect to a->socket (within
 * --timeout, else CTL_CONNECT_TIMEOUT_MS), call op, print --json output
 * (events and the final line, without "id") and the human error line on
 * stderr. Returns CTL_OK with *rep filled for an ok reply, the SPEC §6
 * exit code of an error reply (*rep filled too, kind PROTO_REPLY_ERROR),
 * or the exit code of a transport failure (*rep empty). The caller
 * always calls proto_reply_clear(rep).
 */
enum ctl_exit client_run(const struct ctl_args *a, const char *op,
    const json_t *args, enum client_wait wait,
    const struct client_hooks *hooks, struct proto_reply *rep);

/* Revisions per request when migratectl pages through history. */
#define CLIENT_PAGE 200

/*
 * client_run() for an op that answers a page at a time (history): asks
 * for CLIENT_PAGE items, then the next page ("before" = the last
 * result's "next") until "next" is null, on one connection, and returns
 * the first reply with every page's list_key array appended to its own.
 */
enum ctl_exit client_run_pages(const struct ctl_args *a, const char *op,
    const char *list_key, struct proto_reply *rep);

/* The connect timeout of a verb: --timeout, else the default. */
int client_connect_timeout(const struct ctl_args *a);

/*
 * Report a client-side failure: "migratectl: message" on stderr and,
 * with --json, {"ok":false,"error":{code,message}} on stdout. Returns ex.
 */
enum ctl_exit client_fail(const struct ctl_args *a, enum ctl_exit ex,
    const char *code, const char *fmt, ...) MIG_PRINTF(4, 5);

/* Print body without its "id" as one compact JSON line on stdout. */
void client_print_json(json_t *body);

#endif
