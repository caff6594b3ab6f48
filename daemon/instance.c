/* SPDX-License-Identifier: MIT */
/* instance.c: the random id of this daemon's run, and reading it back. */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/*
 * A running history row belongs to a live daemon when its instance id is
 * the lock holder's (SPEC §3). Host and pid cannot tell: a container
 * restarted in place has the same host name and pid 1 again. The id rides
 * at the front of the sessions' application_name, "migrated@ID HOST:PID",
 * so the 63-byte limit of application_name never cuts it.
 */
#define APP_PREFIX "migrated@"

void
instance_init(void)
{
	unsigned char b[INSTANCE_LEN / 2];
	struct timespec ts;
	size_t i;
	ssize_t n;

	n = getrandom(b, sizeof b, 0);
	if (n != (ssize_t)sizeof b) {
		/* no entropy source: time and pid still differ per start */
		log_warn("getrandom failed (%s); the instance id comes from "
		    "the clock", n < 0 ? strerror(errno) : "short read");
		clock_gettime(CLOCK_REALTIME, &ts);
		for (i = 0; i < sizeof b; i++)
			b[i] = (unsigned char)((uint64_t)ts.tv_nsec >> (i * 8) ^
			    (uint64_t)ts.tv_sec >> (i * 4) ^
			    (uint64_t)getpid() << i);
	}
	for (i = 0; i < sizeof b; i++)
		snprintf(D->instance + 2 * i, 3, "%02x", b[i]);
	D->app_name = xasprintf(APP_PREFIX "%s %s:%ld", D->instance,
	    D->hostname, (long)D->pid);
	if (strlen(D->app_name) > 63)
		D->app_name[63] = '\0';	/* NAMEDATALEN */
}

bool
instance_of_app(const char *app, char out[INSTANCE_LEN + 1])
{
	size_t i, plen = sizeof APP_PREFIX - 1;

	if (app == NULL || strncmp(app, APP_PREFIX, plen) != 0)
		return false;
	for (i = 0; i < INSTANCE_LEN; i++) {
		char c = app[plen + i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	if (app[plen + INSTANCE_LEN] != ' ')
		return false;
	memcpy(out, app + plen, INSTANCE_LEN);
	out[INSTANCE_LEN] = '\0';
	return true;
}
