/* SPDX-License-Identifier: MIT */
/* daemontest.h: the daemon's core on a fake database, for cmocka tests. */
#ifndef MIGRATED_DAEMONTEST_H
#define MIGRATED_DAEMONTEST_H

#include <stdbool.h>

#include <jansson.h>

#include "daemon.h"
#include "fakedb.h"

/*
 * A test writes revisions (dt_rev), starts the daemon's core (dt_start:
 * settings, migrations, event loop, the lock and read sessions on
 * tests/unit/fakedb.c, one client on a socketpair), sends requests as that
 * client (dt_send) and runs the loop until what it waits for happened
 * (dt_until); dt_stop tears it all down. Nothing waits for a fixed time:
 * the fake answers from the loop, and a test holds a statement
 * (fakedb_hold) where it wants to look at the daemon in the middle.
 */

/* A new revision file: id, down ("none", "a", "a,b"), upgrade, downgrade. */
void dt_rev(const char *id, const char *down, const char *up,
    const char *downsql);
/* The same with one more header line (hdr: "-- transactional: false"). */
void dt_rev_hdr(const char *id, const char *down, const char *hdr,
    const char *up, const char *downsql);
/* Start the core; conf: extra settings lines ("key = value\n..."). */
void dt_start(const char *conf);
void dt_stop(void);
/* cmocka teardown: dt_stop() if a test left the core running */
int dt_teardown(void **state);

/* Run the loop until pred(arg) holds; false after max_ms (a failure). */
bool dt_until(bool (*pred)(const void *), const void *arg, int max_ms);
/* Run the loop for ms (for "nothing more happens" checks). */
void dt_run(int ms);

/* Send {"id": N, "op": op, "args": args} (args: JSON text or NULL). */
int dt_send(const char *op, const char *args);
/* The final reply to request id (borrowed), or NULL while none. */
json_t *dt_reply(int id);
/* Predicates for dt_until. */
bool dt_replied(const void *id); /* (void *)(intptr_t)id */
bool dt_leader(const void *unused);
bool dt_standby_known(const void *unused); /* read, and another leads */
bool dt_state_is(const void *state);	   /* "current", "behind", ... */
/* The reply's error code, or "ok" (static). */
const char *dt_code(int id);
/* What the client got so far, in order: "planned step_started:r1 ...
 * reply:1 " (events with their revision, final replies with their id). */
const char *dt_client_lines(void);

#endif
