/* SPDX-License-Identifier: MIT */
/* conninfo.c: the user's connection settings as libpq reads them, plus ours. */
#include "config.h"

#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

/*
 * The daemon's own settings, sent as startup options so that RESET ALL
 * keeps them; appended to the user's, never replacing them.
 */
static const char conninfo_our_options[] =
    "-c client_connection_check_interval=1000 -c idle_session_timeout=0 "
    "-c idle_in_transaction_session_timeout=0";

/* Settings that always hold, whatever the user's say. */
static const char *const conninfo_ours[][2] = {
	{ "keepalives", "1" },
	{ "keepalives_idle", "10" },
	{ "keepalives_interval", "5" },
	{ "keepalives_count", "3" },
	{ "tcp_user_timeout", "30000" },
};

/* Defaults of ours that a user's setting overrides. */
static const char *const conninfo_defaults[][2] = {
	{ "target_session_attrs", "read-write" },
	{ "connect_timeout", "10" },
};

struct ci_param {
	char *key;
	char *val;
	bool from_url;		/* else libpq's defaults (PG*, service) or ours */
};

static struct ci_param *params;		/* the effective settings */
static size_t nparams;

static struct ci_param *
conninfo_find(const char *key)
{
	size_t i;

	for (i = 0; i < nparams; i++)
		if (strcmp(params[i].key, key) == 0)
			return &params[i];
	return NULL;
}

static const char *
conninfo_get(const char *key)
{
	const struct ci_param *p = conninfo_find(key);

	return p != NULL ? p->val : NULL;
}

static void
conninfo_put(const char *key, const char *val, bool from_url)
{
	struct ci_param *p;

	if ((p = conninfo_find(key)) == NULL) {
		params = xreallocarray(params, nparams + 1, sizeof *params);
		p = &params[nparams++];
		p->key = xstrdup(key);
		p->val = NULL;
	}
	free(p->val);
	p->val = xstrdup(val);
	p->from_url = from_url;
}

bool
conninfo_from_url(const char *key)
{
	const struct ci_param *p = conninfo_find(key);

	return p != NULL && p->from_url;
}

void
conninfo_free(void)
{
	size_t i;

	for (i = 0; i < nparams; i++) {
		free(params[i].key);
		free(params[i].val);
	}
	free(params);
	params = NULL;
	nparams = 0;
}

/* Elements of a comma-separated libpq list (an empty string: one). */
static size_t
conninfo_count(const char *list)
{
	size_t n = 1;

	for (; *list != '\0'; list++)
		n += *list == ',';
	return n;
}

/* Is every element of a port list empty or a port number? */
static bool
conninfo_ports_ok(const char *list)
{
	const char *p = list;
	long v;
	char *end;

	for (;;) {
		if (*p != ',' && *p != '\0') {
			errno = 0;
			v = strtol(p, &end, 10);
			if (!isdigit((unsigned char)*p) || errno != 0 ||
			    (*end != ',' && *end != '\0') || v < 1 || v > 65535)
				return false;
			p = end;
		}
		if (*p == '\0')
			return true;
		p++;
	}
}

/* Is every element of a hostaddr list empty or a numeric address? */
static bool
conninfo_addrs_ok(const char *list)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char addr[INET6_ADDRSTRLEN];
	const char *p = list, *e;
	size_t len;

	for (;;) {
		e = strchr(p, ',');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len >= sizeof addr)
			return false;
		memcpy(addr, p, len);
		addr[len] = '\0';
		if (len > 0 && inet_pton(AF_INET, addr, buf) != 1 &&
		    inet_pton(AF_INET6, addr, buf) != 1)
			return false;
		if (e == NULL)
			return true;
		p = e + 1;
	}
}

/*
 * What libpq would refuse only when connecting (and so retry for ever):
 * a port, the host/port counts, a hostaddr. NULL or the problem.
 */
char *
conninfo_check(const char *host, const char *hostaddr, const char *port,
    const char **key)
{
	size_t nhosts;

	*key = "port";
	if (port != NULL && !conninfo_ports_ok(port))
		return xasprintf("port \"%s\" is not a port number (1-65535)",
		    port);
	*key = "hostaddr";
	if (hostaddr != NULL && !conninfo_addrs_ok(hostaddr))
		return xasprintf("hostaddr \"%s\" is not a numeric IP "
		    "address", hostaddr);
	*key = "port";
	nhosts = hostaddr != NULL && *hostaddr != '\0' ?
	    conninfo_count(hostaddr) : host != NULL ? conninfo_count(host) : 1;
	if (port != NULL && conninfo_count(port) > 1 &&
	    conninfo_count(port) != nhosts)
		return xasprintf("%zu ports for %zu hosts",
		    conninfo_count(port), nhosts);
	*key = "hostaddr";
	if (host != NULL && hostaddr != NULL && *hostaddr != '\0' &&
	    conninfo_count(host) != conninfo_count(hostaddr))
		return xasprintf("%zu hosts for %zu hostaddrs",
		    conninfo_count(host), conninfo_count(hostaddr));
	return NULL;
}

/*
 * Settings libpq only checks when it connects, so that a typo would be
 * retried for ever: the values libpq 15 accepts, checked at start (78).
 */
static const char *const conninfo_enums[][8] = {
	{ "sslmode", "disable", "allow", "prefer", "require", "verify-ca",
	    "verify-full", NULL },
	{ "gssencmode", "disable", "prefer", "require", NULL },
	{ "channel_binding", "disable", "prefer", "require", NULL },
	{ "target_session_attrs", "any", "read-write", "read-only",
	    "primary", "standby", "prefer-standby", NULL },
};

static char *
conninfo_check_enums(const char **key)
{
	const char *v;
	size_t i, j;

	for (i = 0; i < ARRAY_LEN(conninfo_enums); i++) {
		*key = conninfo_enums[i][0];
		if ((v = conninfo_get(*key)) == NULL || *v == '\0')
			continue;
		for (j = 1; conninfo_enums[i][j] != NULL; j++)
			if (strcmp(v, conninfo_enums[i][j]) == 0)
				break;
		if (conninfo_enums[i][j] == NULL)
			return xasprintf("%s \"%s\" is not one of libpq's "
			    "values", *key, v);
	}
	return NULL;
}

/*
 * libpq's defaults (environment, service file, compiled-in) for a
 * connection naming service (NULL: PGSERVICE, if set).
 */
static PQconninfoOption *
conninfo_defaults_for(const char *service)
{
	PQconninfoOption *defs;
	char *saved = NULL;
	const char *env;

	if (service != NULL) {
		/* start-up is single-threaded: lend the name to libpq */
		if ((env = getenv("PGSERVICE")) != NULL)
			saved = xstrdup(env);
		if (setenv("PGSERVICE", service, 1) != 0)
			fatal("setenv failed");
	}
	defs = PQconndefaults();
	if (service != NULL) {
		if (saved != NULL)
			(void)setenv("PGSERVICE", saved, 1);
		else
			(void)unsetenv("PGSERVICE");
		free(saved);
	}
	return defs;
}

/* Did the user set d (not libpq's compiled-in default)? */
static bool
conninfo_user_set(const PQconninfoOption *d)
{
	return d->val != NULL && *d->val != '\0' &&
	    (d->compiled == NULL || strcmp(d->val, d->compiled) != 0);
}

/* Merge: what the URL says, else libpq's defaults; then ours. */
static void
conninfo_merge(const PQconninfoOption *url, const PQconninfoOption *defs)
{
	const PQconninfoOption *u, *d;
	const char *opts;
	char *all;
	size_t i;

	for (u = url; u->keyword != NULL; u++) {
		for (d = defs; d->keyword != NULL &&
		    strcmp(d->keyword, u->keyword) != 0; d++)
			;
		if (u->val != NULL && *u->val != '\0')
			conninfo_put(u->keyword, u->val, true);
		else if (d->keyword != NULL && conninfo_user_set(d))
			conninfo_put(u->keyword, d->val, false);
	}
	for (i = 0; i < ARRAY_LEN(conninfo_defaults); i++)
		if (conninfo_get(conninfo_defaults[i][0]) == NULL)
			conninfo_put(conninfo_defaults[i][0],
			    conninfo_defaults[i][1], false);
	for (i = 0; i < ARRAY_LEN(conninfo_ours); i++)
		conninfo_put(conninfo_ours[i][0], conninfo_ours[i][1], false);
	conninfo_put("application_name", D->app_name, false);
	opts = conninfo_get("options");
	all = opts != NULL ? xasprintf("%s %s", opts, conninfo_our_options) :
	    xstrdup(conninfo_our_options);
	conninfo_put("options", all, conninfo_from_url("options"));
	free(all);
}

int
conninfo_load(const char *url, char **why, const char **key)
{
	PQconninfoOption *u, *o, *defs;
	const char *service = NULL;
	char *err = NULL;

	conninfo_free();
	*key = "service";
	if ((u = PQconninfoParse(url != NULL ? url : "", &err)) == NULL) {
		*why = xasprintf("not a connection string or URI%s%s",
		    err != NULL ? ": " : "", err != NULL ? err : "");
		PQfreemem(err);
		return -EINVAL;
	}
	for (o = u; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "service") == 0 && o->val != NULL)
			service = o->val;
	if ((defs = conninfo_defaults_for(service)) == NULL) {
		*why = xasprintf("cannot read libpq's defaults (service \"%s\" "
		    "not found in the service file?)", service != NULL ?
		    service : getenv("PGSERVICE") != NULL ?
		    getenv("PGSERVICE") : "");
		PQconninfoFree(u);
		return -EINVAL;
	}
	conninfo_merge(u, defs);
	PQconninfoFree(u);
	PQconninfoFree(defs);
	if ((*why = conninfo_check(conninfo_get("host"),
	    conninfo_get("hostaddr"), conninfo_get("port"), key)) != NULL ||
	    (*why = conninfo_check_enums(key)) != NULL)
		return -EINVAL;		/* kept for conninfo_from_url() */
	return 0;
}

void
conninfo_params(const char ***keys, const char ***vals)
{
	size_t i;

	*keys = xcalloc(nparams + 1, sizeof(char *));
	*vals = xcalloc(nparams + 1, sizeof(char *));
	for (i = 0; i < nparams; i++) {
		(*keys)[i] = params[i].key;
		(*vals)[i] = params[i].val;
	}
}

json_t *
conninfo_target_json(void)
{
	const char *host = conninfo_get("host");
	const char *port = conninfo_get("port");
	const char *dbname = conninfo_get("dbname");
	const char *user = conninfo_get("user");
	json_t *o = json_object();

	if (host == NULL)
		host = conninfo_get("hostaddr");
	/* unset: libpq's compiled-in defaults (a socket directory, 5432) */
	json_object_set_new(o, "host", host != NULL ? json_string(host) :
	    json_null());
	json_object_set_new(o, "port", json_string(port != NULL ? port :
	    "5432"));
	json_object_set_new(o, "dbname", dbname != NULL ? json_string(dbname) :
	    user != NULL ? json_string(user) : json_null());
	json_object_set_new(o, "user", user != NULL ? json_string(user) :
	    json_null());
	return o;
}
