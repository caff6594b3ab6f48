/* SPDX-License-Identifier: MIT */
/* db-resolve.h: host names to addresses with evdns, for db.c. */
#ifndef MIGRATED_DB_RESOLVE_H
#define MIGRATED_DB_RESOLVE_H

#include <event2/event.h>

#include "xmalloc.h"

struct evdns_base;
struct db_resolve;

/*
 * Lists for libpq, one element per address: host (kept for TLS and the
 * password file), hostaddr, port; or error (all borrowed, for the call).
 */
typedef void (*db_resolve_cb)(void *arg, const char *host,
    const char *hostaddr, const char *port, const char *error);

/*
 * Look up the names of libpq's comma-separated host list (elements with a
 * hostaddr, numeric ones and socket paths need none) and call cb once,
 * from the loop. NULL when nothing needs a lookup (cb is not called).
 * Free with db_resolve_cancel() (after cb too).
 */
struct db_resolve *db_resolve_start(struct event_base *base,
    struct evdns_base *dns, const char *host, const char *hostaddr,
    const char *port, db_resolve_cb cb, void *arg);
/* Stop (cb is not called) and free; NULL is a no-op. */
void db_resolve_cancel(struct db_resolve *job);

#endif
