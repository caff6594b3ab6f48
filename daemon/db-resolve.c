/* SPDX-License-Identifier: MIT */
/* db-resolve.c: host names to addresses with evdns, never blocking the loop. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/util.h>

#include "db-resolve.h"
#include "log.h"

#define DB_RESOLVE_MAX 64	/* addresses tried, all hosts together */

/*
 * One element of the host list. A lookup in flight owns its slot: evdns
 * calls back (with EVUTIL_EAI_CANCEL after a cancel) from the loop, after
 * its job may be gone, so the callback frees the slot of a dead job.
 */
struct db_resolve_slot {
	struct db_resolve *job;		/* NULL: cancelled */
	char *host;
	char *hostaddr;			/* given or numeric; NULL: look up */
	char *port;
	char **addrs;			/* what the lookup found */
	size_t naddrs;
	int error;			/* EVUTIL_EAI_* of the lookup */
	struct evdns_getaddrinfo_request *req;
	bool in_flight;
};

struct db_resolve {
	struct db_resolve_slot **slots;
	size_t n;
	size_t pending;
	db_resolve_cb cb;
	void *arg;
	struct event *ev_done;
};

/* The i-th element of a comma-separated list (NULL list: ""). */
static char *
db_resolve_elem(const char *list, size_t i)
{
	const char *p = list, *e;

	if (list == NULL)
		return xstrdup("");
	while (i-- > 0) {
		if ((p = strchr(p, ',')) == NULL)
			return xstrdup("");
		p++;
	}
	e = strchr(p, ',');
	return e != NULL ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
}

static size_t
db_resolve_count(const char *list)
{
	size_t n = 1;

	if (list == NULL)
		return 0;
	for (; *list != '\0'; list++)
		n += *list == ',';
	return n;
}

static bool
db_resolve_numeric(const char *h)
{
	unsigned char buf[16];

	return evutil_inet_pton(AF_INET, h, buf) == 1 ||
	    evutil_inet_pton(AF_INET6, h, buf) == 1;
}

static void
db_resolve_slot_free(struct db_resolve_slot *s)
{
	size_t i;

	for (i = 0; i < s->naddrs; i++)
		free(s->addrs[i]);
	free(s->addrs);
	free(s->host);
	free(s->hostaddr);
	free(s->port);
	free(s);
}

static void
db_resolve_append(char **list, const char *elem)
{
	char *s;

	s = *list == NULL ? xstrdup(elem) : xasprintf("%s,%s", *list, elem);
	free(*list);
	*list = s;
}

/* All lookups answered: build the lists, report from the loop. */
static void
db_resolve_on_done(evutil_socket_t fd, short what, void *arg)
{
	struct db_resolve *job = arg;
	struct db_resolve_slot *s;
	char *host = NULL, *addr = NULL, *port = NULL, *err = NULL;
	size_t i, j, total = 0;

	for (i = 0; i < job->n && total < DB_RESOLVE_MAX; i++) {
		s = job->slots[i];
		if (s->hostaddr != NULL) {
			db_resolve_append(&host, s->host);
			db_resolve_append(&addr, s->hostaddr);
			db_resolve_append(&port, s->port);
			total++;
			continue;
		}
		if (s->naddrs == 0 && err == NULL)
			err = xasprintf("could not translate host name \"%s\" "
			    "to address: %s", s->host,
			    evutil_gai_strerror(s->error));
		for (j = 0; j < s->naddrs && total < DB_RESOLVE_MAX; j++) {
			db_resolve_append(&host, s->host);
			db_resolve_append(&addr, s->addrs[j]);
			db_resolve_append(&port, s->port);
			total++;
		}
	}
	/* as libpq: a host that does not resolve is skipped, not fatal */
	if (total > 0)
		job->cb(job->arg, host, addr, port, NULL);
	else
		job->cb(job->arg, NULL, NULL, NULL, err != NULL ? err :
		    "no host to connect to");
	free(host);
	free(addr);
	free(port);
	free(err);
}

static void
db_resolve_on_lookup(int result, struct evutil_addrinfo *res, void *arg)
{
	struct db_resolve_slot *s = arg;
	struct evutil_addrinfo *ai;
	char buf[NI_MAXHOST];

	s->in_flight = false;
	s->req = NULL;
	if (s->job == NULL) {		/* cancelled: we own the slot */
		if (res != NULL)
			evutil_freeaddrinfo(res);
		db_resolve_slot_free(s);
		return;
	}
	s->error = result;
	for (ai = res; ai != NULL && s->naddrs < DB_RESOLVE_MAX;
	    ai = ai->ai_next) {
		/* numeric only: no name service is asked */
		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    getnameinfo(ai->ai_addr, (socklen_t)ai->ai_addrlen, buf,
		    sizeof buf, NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		s->addrs = xreallocarray(s->addrs, s->naddrs + 1,
		    sizeof *s->addrs);
		s->addrs[s->naddrs++] = xstrdup(buf);
	}
	if (res != NULL)
		evutil_freeaddrinfo(res);
	if (--s->job->pending == 0)
		event_active(s->job->ev_done, 0, 0);
}

/* Split the lists into slots; false when nothing needs a lookup. */
static bool
db_resolve_split(struct db_resolve *job, const char *host,
    const char *hostaddr, const char *port)
{
	struct db_resolve_slot *s;
	size_t i, n, nports = db_resolve_count(port);
	bool lookup = false;

	n = db_resolve_count(host);
	if (n == 0 || n > DB_RESOLVE_MAX)
		return false;
	job->slots = xcalloc(n, sizeof *job->slots);
	for (i = 0; i < n; i++) {
		s = job->slots[job->n++] = xcalloc(1, sizeof *s);
		s->job = job;
		s->host = db_resolve_elem(host, i);
		s->port = db_resolve_elem(port, nports > 1 ? i : 0);
		s->hostaddr = db_resolve_elem(hostaddr, i);
		if (s->hostaddr[0] != '\0')
			continue;
		free(s->hostaddr);
		s->hostaddr = NULL;
		/* "" is libpq's default socket; paths are sockets */
		if (s->host[0] == '\0' || s->host[0] == '/' ||
		    s->host[0] == '@')
			s->hostaddr = xstrdup("");
		else if (db_resolve_numeric(s->host))
			s->hostaddr = xstrdup(s->host);
		else
			lookup = true;
	}
	return lookup;
}

void
db_resolve_cancel(struct db_resolve *job)
{
	struct db_resolve_slot *s;
	size_t i;

	if (job == NULL)
		return;
	for (i = 0; i < job->n; i++) {
		s = job->slots[i];
		if (s->in_flight) {
			s->job = NULL;		/* its callback frees it */
			evdns_getaddrinfo_cancel(s->req);
		} else
			db_resolve_slot_free(s);
	}
	free(job->slots);
	if (job->ev_done != NULL)
		event_free(job->ev_done);
	free(job);
}

struct db_resolve *
db_resolve_start(struct event_base *base, struct evdns_base *dns,
    const char *host, const char *hostaddr, const char *port,
    db_resolve_cb cb, void *arg)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct db_resolve_slot *s;
	struct db_resolve *job;
	size_t i;

	job = xcalloc(1, sizeof *job);
	job->cb = cb;
	job->arg = arg;
	if (dns == NULL || !db_resolve_split(job, host, hostaddr, port)) {
		db_resolve_cancel(job);
		return NULL;
	}
	job->ev_done = event_new(base, -1, 0, db_resolve_on_done, job);
	if (job->ev_done == NULL)
		fatal("event_new failed");
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	job->pending = 1;	/* held until every lookup is sent */
	for (i = 0; i < job->n; i++) {
		s = job->slots[i];
		if (s->hostaddr != NULL)
			continue;
		s->in_flight = true;
		job->pending++;
		/* may answer at once (hosts file, errors): then NULL */
		req = evdns_getaddrinfo(dns, s->host, NULL, &hints,
		    db_resolve_on_lookup, s);
		if (s->in_flight)
			s->req = req;
	}
	if (--job->pending == 0)
		event_active(job->ev_done, 0, 0);
	return job;
}
