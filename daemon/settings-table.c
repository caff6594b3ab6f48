/* SPDX-License-Identifier: MIT */
/* settings-table.c: one row per setting (SPEC §4); value parsers and checks. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <libpq-fe.h>

#include "settings-table.h"
#include "log.h"
#include "xmalloc.h"

#define OFF(field) offsetof(struct settings, field)
#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

int
settings_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on" };
	static const char *const no[] = { "false", "0", "no", "off" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* The factor of a GUC time unit ("" is milliseconds), or 0 if unknown. */
static long long
settings_unit_ms(const char *unit, size_t len)
{
	static const struct {
		const char *name;
		long long ms;
	} units[] = {
		{ "", 1 }, { "ms", 1 }, { "s", 1000 }, { "min", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(units); i++) {
		if (strlen(units[i].name) == len &&
		    strncmp(unit, units[i].name, len) == 0)
			return units[i].ms;
	}
	return 0;
}

int
settings_parse_duration_ms(const char *s, int *ms)
{
	unsigned long long whole = 0, frac = 0, scale = 1, total;
	const char *p = s, *unit;
	bool digits = false, big = false;
	long long mult;
	size_t len;

	while (isspace((unsigned char)*p))
		p++;
	for (; isdigit((unsigned char)*p); p++, digits = true) {
		if (whole > INT_MAX)
			big = true;
		else
			whole = whole * 10 + (unsigned long long)(*p - '0');
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++, digits = true) {
			if (scale >= 1000000000ULL)
				continue;
			frac = frac * 10 + (unsigned long long)(*p - '0');
			scale *= 10;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	for (unit = p; isalpha((unsigned char)*p); p++)
		;
	len = (size_t)(p - unit);
	while (isspace((unsigned char)*p))
		p++;
	if (!digits || *p != '\0' || (mult = settings_unit_ms(unit, len)) == 0)
		return -EINVAL;
	if (big)
		return -ERANGE;
	total = whole * (unsigned long long)mult +
	    (frac * (unsigned long long)mult + scale / 2) / scale;
	if (total > INT_MAX)
		return -ERANGE;
	*ms = (int)total;
	return 0;
}

static int
settings_check_ident(const char *text, char **value, char **why)
{
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '_' || isalpha((unsigned char)*p) ||
		    (p != text && isdigit((unsigned char)*p)))
			continue;
		*why = xstrdup("not an identifier ([A-Za-z_][A-Za-z0-9_]*, "
		    "at most 63 characters)");
		return -EINVAL;
	}
	return 0;
}

static int
settings_check_int64(const char *text, char **value, char **why)
{
	char *end;

	errno = 0;
	if (!isspace((unsigned char)*text)) {
		(void)strtoll(text, &end, 10);
		if (end != text && *end == '\0' && errno == 0)
			return 0;
	}
	*why = xstrdup("not a signed 64-bit integer");
	return -EINVAL;
}

static int
settings_check_guc_duration(const char *text, char **value, char **why)
{
	int ms, r;

	if ((r = settings_parse_duration_ms(text, &ms)) < 0) {
		*why = xstrdup(r == -ERANGE ? "out of range (0..2147483647ms)" :
		    "not a duration (a number and ms, s, min, h or d)");
		return -EINVAL;
	}
	*value = settings_format_ms(ms);
	return 0;
}

static int
settings_check_conninfo(const char *text, char **value, char **why)
{
	PQconninfoOption *opts;
	char *err = NULL, *safe;
	size_t len;

	if ((opts = PQconninfoParse(text, &err)) != NULL) {
		PQconninfoFree(opts);
		return 0;
	}
	/* libpq may quote the whole string: only show it without secrets. */
	safe = settings_redact(text);
	if (err != NULL && strcmp(safe, text) == 0) {
		len = strlen(err);
		while (len > 0 && isspace((unsigned char)err[len - 1]))
			err[--len] = '\0';
		*why = xasprintf("not a connection string or URI: %s", err);
	} else
		*why = xstrdup("not a connection string or URI");
	free(safe);
	PQfreemem(err);
	return -EINVAL;
}

/* A numeric ADDRESS:PORT, [IPv6]:PORT: bound without name look-ups. */
static int
settings_check_listen(const char *text, char **value, char **why)
{
	unsigned char buf[sizeof(struct in6_addr)];
	const char *colon = strrchr(text, ':'), *port;
	char host[INET6_ADDRSTRLEN + 2];
	size_t len;
	char *end;
	long p;

	if (colon == NULL)
		goto bad;
	len = (size_t)(colon - text);
	port = colon + 1;
	if (len >= sizeof host)
		goto bad;
	memcpy(host, text, len);
	host[len] = '\0';
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, buf) != 1)
			goto bad;
	} else if (inet_pton(AF_INET, host, buf) != 1)
		goto bad;
	errno = 0;
	p = strtol(port, &end, 10);
	if (!isdigit((unsigned char)*port) || *end != '\0' || errno != 0 ||
	    p < 1 || p > 65535)
		goto bad;
	return 0;
bad:
	*why = xstrdup("not ADDRESS:PORT with a numeric address (e.g. "
	    "127.0.0.1:9187, [::1]:9187, 0.0.0.0:9187)");
	return -EINVAL;
}

static const char *const settings_ready_when[] = { "socket", "current", NULL };
static const char *const settings_txn_mode[] = { "per-revision", "all", NULL };
static const char *const settings_lint[] = { "off", "warn", "refuse", NULL };
static const char *const settings_log_format[] = { "auto", "text", "json",
	"journald", NULL };

/*
 * Defaults are strings and go through the same parser as every other
 * source; the unit test checks that each one parses.
 */
const struct settings_entry settings_table[] = {
	{ "database_url", CFG_STRING, OFF(database_url), NULL, 0, 0,
	  "DATABASE_URL", CFG_SECRET, NULL, settings_check_conninfo },
	{ "migrations_dir", CFG_STRING, OFF(migrations_dir),
	  "/usr/share/migrated/versions", 1, PATH_MAX - 1,
	  "MIGRATIONS_DIR", CFG_REQUIRED, NULL, NULL },
	{ "socket_path", CFG_STRING, OFF(socket_path),
	  "/run/migrated/migrated.sock", 1, 107,	/* sun_path */
	  "MIGRATED_SOCKET", CFG_REQUIRED, NULL, NULL },
	{ "socket_mode", CFG_MODE, OFF(socket_mode), "0660", 0, 0777,
	  NULL, 0, NULL, NULL },
	{ "socket_group", CFG_STRING, OFF(socket_group), NULL, 0, 255,
	  NULL, 0, NULL, NULL },
	{ "admin_group", CFG_STRING, OFF(admin_group), NULL, 0, 255,
	  NULL, 0, NULL, NULL },
	{ "auto_migrate", CFG_BOOL, OFF(auto_migrate), "true", 0, 0,
	  "DISABLE_AUTO_MIGRATIONS", CFG_ENV_INVERT | CFG_RELOAD, NULL, NULL },
	{ "ready_when", CFG_ENUM, OFF(ready_when), "socket", 0, 0,
	  NULL, 0, settings_ready_when, NULL },
	{ "version_table", CFG_STRING, OFF(version_table), "alembic_version",
	  1, 63, NULL, CFG_REQUIRED, NULL, settings_check_ident },
	{ "version_table_schema", CFG_STRING, OFF(version_table_schema),
	  "public", 1, 63, NULL, CFG_REQUIRED, NULL, settings_check_ident },
	{ "history_table", CFG_STRING, OFF(history_table), "migrated_history",
	  1, 63, NULL, CFG_REQUIRED, NULL, settings_check_ident },
	{ "lock_key", CFG_STRING, OFF(lock_key), NULL, 0, 20,
	  NULL, 0, NULL, settings_check_int64 },
	{ "lock_timeout", CFG_STRING, OFF(lock_timeout), "5s", 1, 32,
	  NULL, CFG_REQUIRED | CFG_RELOAD, NULL, settings_check_guc_duration },
	{ "statement_timeout", CFG_STRING, OFF(statement_timeout), "0", 1, 32,
	  NULL, CFG_REQUIRED | CFG_RELOAD, NULL, settings_check_guc_duration },
	{ "lock_retries", CFG_INT, OFF(lock_retries), "3", 0, 100,
	  NULL, CFG_RELOAD, NULL, NULL },
	{ "transaction_mode", CFG_ENUM, OFF(transaction_mode), "per-revision",
	  0, 0, NULL, CFG_RELOAD, settings_txn_mode, NULL },
	{ "allow_drift", CFG_BOOL, OFF(allow_drift), "false", 0, 0,
	  NULL, CFG_RELOAD, NULL, NULL },
	{ "watch", CFG_BOOL, OFF(watch), "false", 0, 0,
	  NULL, 0, NULL, NULL },
	{ "lint", CFG_ENUM, OFF(lint), "warn", 0, 0, NULL, CFG_RELOAD,
	  settings_lint, NULL },
	{ "standby_poll_interval", CFG_DURATION, OFF(standby_poll_interval_ms),
	  "100ms", 10, 60 * SEC, NULL, CFG_RELOAD, NULL, NULL },
	{ "refresh_interval", CFG_DURATION, OFF(refresh_interval_ms),
	  "5s", 100, HOUR, NULL, CFG_RELOAD, NULL, NULL },
	{ "reconnect_max_interval", CFG_DURATION,
	  OFF(reconnect_max_interval_ms), "30s", 100, HOUR,
	  NULL, CFG_RELOAD, NULL, NULL },
	{ "shutdown_timeout", CFG_DURATION, OFF(shutdown_timeout_ms),
	  "30s", 0, 24 * HOUR, NULL, CFG_RELOAD, NULL, NULL },
	{ "max_clients", CFG_INT, OFF(max_clients), "256", 1, 100000,
	  NULL, 0, NULL, NULL },
	{ "log_level", CFG_LOGLEVEL, OFF(log_level), "info", 0, 0,
	  NULL, CFG_RELOAD, NULL, NULL },
	{ "log_format", CFG_ENUM, OFF(log_format), "auto", 0, 0,
	  NULL, 0, settings_log_format, NULL },
	{ "http_listen", CFG_STRING, OFF(http_listen), NULL, 0, 64,
	  NULL, 0, NULL, settings_check_listen },
	{ "schema_check_interval", CFG_DURATION,
	  OFF(schema_check_interval_ms), "5min", 0, 24 * HOUR,
	  NULL, CFG_RELOAD, NULL, NULL },
	/* read by migratectl diff and revision --autogenerate (-c FILE) */
	{ "schema_path", CFG_STRING, OFF(schema_path), NULL, 0, PATH_MAX - 1,
	  NULL, 0, NULL, NULL },
	/* --lock-wait: for --once only */
	{ "lock_wait", CFG_DURATION, OFF(lock_wait_ms), "60s", 0, 24 * HOUR,
	  NULL, CFG_NOFILE, NULL, NULL },
};
const size_t settings_table_len = ARRAY_LEN(settings_table);

/* The field of row e in cfg (void *: offsets keep the field's alignment). */
static void *
settings_table_field(struct settings *cfg, const struct settings_entry *e)
{
	return (char *)cfg + e->offset;
}

const struct settings_entry *
settings_table_find(const char *name)
{
	size_t i;

	for (i = 0; i < settings_table_len; i++) {
		if (strcmp(settings_table[i].name, name) == 0)
			return &settings_table[i];
	}
	return NULL;
}

char *
settings_format_ms(long long ms)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {
		{ "d", 24 * HOUR }, { "h", HOUR }, { "min", MIN }, { "s", SEC },
	};
	size_t i;

	if (ms == 0)
		return xstrdup("0");
	for (i = 0; i < ARRAY_LEN(units); i++) {
		if (ms % units[i].ms == 0)
			return xasprintf("%lld%s", ms / units[i].ms,
			    units[i].unit);
	}
	return xasprintf("%lldms", ms);
}

/* Parse a decimal integer that fills all of s. */
static int
settings_table_strtoll(const char *s, long long *out)
{
	char *end;
	long long v;

	if (*s == '\0' || strchr(" \t\n\r\f\v", *s) != NULL)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*out = v;
	return 0;
}

static char *
settings_table_range(const struct settings_entry *e)
{
	char *lo, *hi, *s;

	if (e->type != CFG_DURATION)
		return xasprintf("out of range (%lld..%lld)", e->min, e->max);
	lo = settings_format_ms(e->min);
	hi = settings_format_ms(e->max);
	s = xasprintf("out of range (%s..%s)", lo, hi);
	free(lo);
	free(hi);
	return s;
}

static int
settings_table_string(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	char **field = settings_table_field(cfg, e);
	char *value = NULL;
	size_t len = strlen(text);

	if (len == 0 && (e->flags & CFG_REQUIRED)) {
		*why = xstrdup("must not be empty");
		return -EINVAL;
	}
	if (e->max > 0 && len > (size_t)e->max) {
		*why = xasprintf("longer than %lld characters", e->max);
		return -EINVAL;
	}
	if (len > 0 && e->check != NULL && e->check(text, &value, why) < 0)
		return -EINVAL;
	if (value == NULL && len > 0)
		value = xstrdup(text);
	free(*field);
	*field = value;
	return 0;
}

static int
settings_table_bool(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	bool *field = settings_table_field(cfg, e);

	if (settings_parse_bool(text, field) < 0) {
		*why = xstrdup("not a boolean (true/false/yes/no/on/off/1/0)");
		return -EINVAL;
	}
	return 0;
}

static int
settings_table_int(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	int *field = settings_table_field(cfg, e);
	long long v;
	int r;

	if ((r = settings_table_strtoll(text, &v)) == -EINVAL) {
		*why = xstrdup("not an integer");
		return -EINVAL;
	}
	if (r < 0 || v < e->min || v > e->max) {
		*why = settings_table_range(e);
		return -EINVAL;
	}
	*field = (int)v;
	return 0;
}

static int
settings_table_duration(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	int *field = settings_table_field(cfg, e);
	int ms, r;

	if ((r = settings_parse_duration_ms(text, &ms)) == -EINVAL) {
		*why = xstrdup("not a duration (a number and ms, s, min, h "
		    "or d)");
		return -EINVAL;
	}
	if (r < 0 || ms < e->min || ms > e->max) {
		*why = settings_table_range(e);
		return -EINVAL;
	}
	*field = ms;
	return 0;
}

static int
settings_table_mode(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	unsigned int *field = settings_table_field(cfg, e);
	size_t len = strlen(text);
	unsigned long v;

	if (len == 0 || strspn(text, "01234567") != len) {
		*why = xstrdup("not an octal mode (e.g. 0660)");
		return -EINVAL;
	}
	v = len > 8 ? ULONG_MAX : strtoul(text, NULL, 8);
	if (v > (unsigned long)e->max) {
		*why = xasprintf("out of range (0..0%llo)", e->max);
		return -EINVAL;
	}
	*field = (unsigned int)v;
	return 0;
}

static int
settings_table_enum(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	int *field = settings_table_field(cfg, e);
	char *list, *tmp;
	int i;

	for (i = 0; e->choices[i] != NULL; i++) {
		if (strcmp(text, e->choices[i]) == 0) {
			*field = i;
			return 0;
		}
	}
	list = xstrdup(e->choices[0]);
	for (i = 1; e->choices[i] != NULL; i++) {
		tmp = xasprintf("%s, %s", list, e->choices[i]);
		free(list);
		list = tmp;
	}
	*why = xasprintf("must be one of: %s", list);
	free(list);
	return -EINVAL;
}

static int
settings_table_loglevel(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	int *field = settings_table_field(cfg, e);
	enum log_level level;

	if (log_level_parse(text, &level) < 0) {
		*why = xstrdup("must be one of: error, warn, info, debug");
		return -EINVAL;
	}
	*field = (int)level;
	return 0;
}

int
settings_table_set(struct settings *cfg, const struct settings_entry *e,
    const char *text, char **why)
{
	static int (*const parsers[])(struct settings *,
	    const struct settings_entry *, const char *, char **) = {
		[CFG_STRING] = settings_table_string,
		[CFG_BOOL] = settings_table_bool,
		[CFG_INT] = settings_table_int,
		[CFG_DURATION] = settings_table_duration,
		[CFG_MODE] = settings_table_mode,
		[CFG_ENUM] = settings_table_enum,
		[CFG_LOGLEVEL] = settings_table_loglevel,
	};

	*why = NULL;
	if ((size_t)e->type >= ARRAY_LEN(parsers))
		fatal("config: bad type %d for %s", (int)e->type, e->name);
	return parsers[e->type](cfg, e, text, why);
}

void
settings_table_free(struct settings *cfg)
{
	char **field;
	size_t i;

	for (i = 0; i < settings_table_len; i++) {
		if (settings_table[i].type != CFG_STRING)
			continue;
		field = settings_table_field(cfg, &settings_table[i]);
		free(*field);
		*field = NULL;
	}
}
