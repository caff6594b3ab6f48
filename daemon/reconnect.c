/* SPDX-License-Identifier: MIT */
/* reconnect.c: keep a database session up: capped backoff, periodic tick. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>

#include "backoff.h"
#include "daemon.h"
#include "log.h"

#define RECONNECT_MIN_MS 100
#define RECONNECT_TIMEOUT_MS 10000	/* resolving + connecting */

static void
reconnect_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct reconnect *rc = arg;
	const char **keys, **vals;

	if (rc->stopped)
		return;
	if (db_is_up(rc->db)) {
		rc->tick(rc->arg);
		return;
	}
	conninfo_params(&keys, &vals);
	if (db_connect(rc->db, keys, vals, RECONNECT_TIMEOUT_MS) < 0)
		log_debug("%s session already connecting", db_name(rc->db));
	free(keys);
	free(vals);
}

void
reconnect_init(struct reconnect *rc, struct db *db, void (*tick)(void *),
    void *arg)
{
	rc->db = db;
	rc->tick = tick;
	rc->arg = arg;
	rc->attempts = 0;
	rc->stopped = false;
	rc->ev = evtimer_new(D->base, reconnect_on_timer, rc);
	if (rc->ev == NULL)
		fatal("evtimer_new failed");
}

void
reconnect_at(struct reconnect *rc, int ms)
{
	struct timeval tv;

	if (rc->stopped || rc->ev == NULL)
		return;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(rc->ev, &tv);
}

int
reconnect_lost(struct reconnect *rc)
{
	int ms;

	if (rc->attempts < INT_MAX)
		rc->attempts++;
	ms = backoff_ms(rc->attempts, RECONNECT_MIN_MS,
	    D->cfg.reconnect_max_interval_ms);
	reconnect_at(rc, ms);
	return ms;
}

void
reconnect_up(struct reconnect *rc)
{
	rc->attempts = 0;
}

void
reconnect_stop(struct reconnect *rc)
{
	rc->stopped = true;
	if (rc->ev != NULL)
		event_free(rc->ev);
	rc->ev = NULL;
}
