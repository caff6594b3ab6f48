/* SPDX-License-Identifier: MIT */
/* config.c: settings from defaults, file, environment and flags (SPEC §4). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config-table.h"
#include "log.h"
#include "xmalloc.h"

/* A flag's setting, applied after the file and the environment. */
struct config_flag {
	const struct config_entry *entry;
	const char *text;		/* borrowed from argv or static */
	const char *flag;
};

struct config_load {
	struct config *cfg;
	int nerrors;
	struct config_flag *flags;
	size_t nflags;
};

enum config_action { CONFIG_RUN, CONFIG_HELP, CONFIG_VERSION, CONFIG_USAGE };

enum {
	OPT_NO_AUTO = 256,
	OPT_ONCE,
	OPT_LOCK_WAIT,
	OPT_ATOMIC,
};

static const struct option config_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "database-url", required_argument, NULL, 'd' },
	{ "migrations-dir", required_argument, NULL, 'm' },
	{ "socket", required_argument, NULL, 's' },
	{ "no-auto-migrate", no_argument, NULL, OPT_NO_AUTO },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "lock-wait", required_argument, NULL, OPT_LOCK_WAIT },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ NULL, 0, NULL, 0 },
};

/* Flags that set a key of the table; text NULL means the flag's argument. */
static const struct {
	int opt;
	const char *key;
	const char *text;
	const char *flag;
} config_flag_keys[] = {
	{ 'd', "database_url", NULL, "-d" },
	{ 'm', "migrations_dir", NULL, "-m" },
	{ 's', "socket_path", NULL, "-s" },
	{ OPT_NO_AUTO, "auto_migrate", "false", "--no-auto-migrate" },
	{ 'v', "log_level", "debug", "-v" },
	{ OPT_LOCK_WAIT, "lock_wait", NULL, "--lock-wait" },
	{ OPT_ATOMIC, "transaction_mode", "all", "--atomic" },
};

#define REDACTED "********"

static void config_error(struct config_load *, const char *, ...)
    MIG_PRINTF(2, 3);

static void
config_error(struct config_load *ld, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("migrated: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	ld->nerrors++;
}

/* Keys of a connection string whose values are secrets. */
static bool
config_secret_key(const char *key, size_t len)
{
	return (len == 8 && strncmp(key, "password", len) == 0) ||
	    (len == 11 && strncmp(key, "sslpassword", len) == 0);
}

/* The end of a key=value value at p: quoted with \ escapes, or a word. */
static const char *
config_kv_value_end(const char *p)
{
	if (*p == '\'') {
		for (p++; *p != '\0' && *p != '\''; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
		}
		return *p == '\'' ? p + 1 : p;
	}
	for (; *p != '\0' && !isspace((unsigned char)*p); p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
	}
	return p;
}

/* Write one value; dbname may itself hold a connection string (libpq). */
static void
config_redact_value(FILE *f, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	bool quoted = vlen > 0 && *val == '\'';
	char *inner, *safe;

	if (config_secret_key(key, klen)) {
		fputs(quoted ? "'" REDACTED "'" : REDACTED, f);
		return;
	}
	if (klen != 6 || strncmp(key, "dbname", klen) != 0) {
		fwrite(val, 1, vlen, f);
		return;
	}
	if (quoted)
		inner = xstrndup(val + 1, vlen - (vlen > 1 && val[vlen - 1] ==
		    '\'' ? 2 : 1));
	else
		inner = xstrndup(val, vlen);
	safe = config_redact(inner);
	fprintf(f, quoted ? "'%s'" : "%s", safe);
	free(safe);
	free(inner);
}

static void
config_redact_kv(FILE *f, const char *s)
{
	const char *p = s, *key, *val;
	size_t klen;

	while (*p != '\0') {
		if (isspace((unsigned char)*p)) {
			fputc(*p++, f);
			continue;
		}
		key = p;
		while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
			p++;
		klen = (size_t)(p - key);
		fwrite(key, 1, klen, f);
		while (isspace((unsigned char)*p))
			fputc(*p++, f);
		if (*p != '=')
			continue;
		fputc(*p++, f);
		while (isspace((unsigned char)*p))
			fputc(*p++, f);
		val = p;
		p = config_kv_value_end(p);
		config_redact_value(f, key, klen, val, (size_t)(p - val));
	}
}

static int
config_hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	return tolower((unsigned char)c) - 'a' + 10;
}

/* Is the URI query key k (percent-encoded, klen bytes) a secret? */
static bool
config_secret_uri_key(const char *k, size_t klen)
{
	char key[16];
	size_t i, n = 0;

	for (i = 0; i < klen && n < sizeof key; i++, n++) {
		if (k[i] == '%' && i + 2 < klen &&
		    isxdigit((unsigned char)k[i + 1]) &&
		    isxdigit((unsigned char)k[i + 2])) {
			key[n] = (char)(config_hexval(k[i + 1]) * 16 +
			    config_hexval(k[i + 2]));
			i += 2;
		} else
			key[n] = k[i];
	}
	return i == klen && config_secret_key(key, n);
}

static void
config_redact_query(FILE *f, const char *q)
{
	const char *p = q, *amp, *eq;
	size_t len;

	fputc(*p++, f);			/* '?' */
	while (*p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq != NULL && config_secret_uri_key(p, (size_t)(eq - p))) {
			fwrite(p, 1, (size_t)(eq + 1 - p), f);
			fputs(REDACTED, f);
		} else
			fwrite(p, 1, len, f);
		p += len;
		if (*p == '&')
			fputc(*p++, f);
	}
}

/*
 * userinfo ends at the last '@' before the query, so that a password with
 * a raw '@' or '/' is still hidden; anything after its ':' is replaced.
 */
static void
config_redact_uri(FILE *f, const char *s)
{
	const char *auth = strstr(s, "://") + 3, *q, *end, *at = NULL;
	const char *colon = NULL, *p;

	q = strchr(auth, '?');
	end = q != NULL ? q : auth + strlen(auth);
	for (p = auth; p < end; p++) {
		if (*p == '@')
			at = p;
	}
	if (at != NULL)
		colon = memchr(auth, ':', (size_t)(at - auth));
	fwrite(s, 1, (size_t)(auth - s), f);
	if (colon != NULL) {
		fwrite(auth, 1, (size_t)(colon + 1 - auth), f);
		fputs(REDACTED, f);
		fwrite(at, 1, (size_t)(end - at), f);
	} else
		fwrite(auth, 1, (size_t)(end - auth), f);
	if (q != NULL)
		config_redact_query(f, q);
}

char *
config_redact(const char *conninfo)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f;

	if (conninfo == NULL)
		return xstrdup("(default)");
	if ((f = open_memstream(&out, &size)) == NULL)
		fatal("open_memstream: %s", strerror(errno));
	if (strncmp(conninfo, "postgresql://", 13) == 0 ||
	    strncmp(conninfo, "postgres://", 11) == 0)
		config_redact_uri(f, conninfo);
	else
		config_redact_kv(f, conninfo);
	if (fclose(f) != 0 || out == NULL)
		fatal("config_redact: out of memory");
	return out;
}

/* Set row e from text; on failure report key, value and source. */
static void
config_set(struct config_load *ld, const struct config_entry *e,
    const char *text, const char *source)
{
	struct config_value *v = &ld->cfg->values[e - config_table];
	char *why, *shown;

	if (config_table_set(ld->cfg, e, text, &why) < 0) {
		if (e->flags & CFG_SECRET)
			shown = config_redact(text);
		else
			shown = xstrdup(text);
		config_error(ld, "%s = '%s' (%s): %s", e->name, shown, source,
		    why);
		free(shown);
		free(why);
		return;
	}
	free(v->text);
	free(v->source);
	v->text = *text != '\0' ? xstrdup(text) : NULL;
	v->source = xstrdup(source);
}

static void
config_defaults(struct config_load *ld)
{
	const struct config_entry *e;
	size_t i;

	for (i = 0; i < config_table_len; i++) {
		e = &config_table[i];
		if (e->defval != NULL)
			config_set(ld, e, e->defval, "default");
		else
			ld->cfg->values[i].source = xstrdup("default");
	}
}

/* Split "key = value  # comment" in place; NULL *key for blank lines. */
static const char *
config_split_line(char *line, char **key, char **value)
{
	char *p = line, *eq, *end, quote;

	*key = *value = NULL;
	p += strspn(p, " \t\r\n");
	if (*p == '\0' || *p == '#')
		return NULL;
	if ((eq = strchr(p, '=')) == NULL)
		return "expected 'key = value'";
	for (end = eq; end > p && isspace((unsigned char)end[-1]); end--)
		;
	*end = '\0';
	*key = p;
	p = eq + 1 + strspn(eq + 1, " \t");
	if (*p == '"' || *p == '\'') {
		quote = *p++;
		if ((end = strchr(p, quote)) == NULL)
			return "unterminated quote";
		*end++ = '\0';
		end += strspn(end, " \t\r\n");
		if (*end != '\0' && *end != '#')
			return "text after the closing quote";
		*value = p;
		return NULL;
	}
	for (end = p; *end != '\0'; end++) {
		if (*end == '#' &&
		    (end == p || isspace((unsigned char)end[-1])))
			break;
	}
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	*value = p;
	return NULL;
}

static void
config_file_line(struct config_load *ld, const char *path, unsigned int n,
    char *line)
{
	const struct config_entry *e;
	const char *problem;
	char *key, *value, *source;

	if ((problem = config_split_line(line, &key, &value)) != NULL) {
		config_error(ld, "%s:%u: %s", path, n, problem);
		return;
	}
	if (key == NULL)
		return;
	e = config_table_find(key);
	if (e == NULL || (e->flags & CFG_NOFILE)) {
		config_error(ld, "%s:%u: unknown key '%s'", path, n, key);
		return;
	}
	source = xasprintf("%s:%u", path, n);
	config_set(ld, e, value, source);
	free(source);
}

static void
config_read_file(struct config_load *ld)
{
	const char *path = ld->cfg->config_file;
	char *line = NULL;
	size_t size = 0;
	unsigned int n = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno != ENOENT || ld->cfg->config_file_given)
			config_error(ld, "%s: %s", path, strerror(errno));
		return;
	}
	while (getline(&line, &size, f) != -1) {
		n++;
		/* a UTF-8 byte order mark is not part of the first key */
		if (n == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			memmove(line, line + 3, strlen(line + 3) + 1);
		config_file_line(ld, path, n, line);
	}
	if (ferror(f))
		config_error(ld, "%s: %s", path, strerror(errno));
	free(line);
	fclose(f);
}

/* Environment variables; an empty one counts as unset. */
static void
config_read_env(struct config_load *ld)
{
	const struct config_entry *e;
	const char *text;
	char *source;
	size_t i;
	bool b;

	for (i = 0; i < config_table_len; i++) {
		e = &config_table[i];
		if (e->env == NULL || (text = getenv(e->env)) == NULL ||
		    *text == '\0')
			continue;
		if ((e->flags & CFG_ENV_INVERT) &&
		    config_parse_bool(text, &b) == 0)
			text = b ? "false" : "true";
		source = xasprintf("environment %s", e->env);
		config_set(ld, e, text, source);
		free(source);
	}
}

static void
config_add_flag(struct config_load *ld, int opt, const char *arg)
{
	struct config_flag *f;
	size_t i;

	for (i = 0; i < ARRAY_LEN(config_flag_keys); i++) {
		if (config_flag_keys[i].opt == opt)
			break;
	}
	if (i == ARRAY_LEN(config_flag_keys))
		fatal("config: no key for option %d", opt);
	ld->flags = xreallocarray(ld->flags, ld->nflags + 1,
	    sizeof *ld->flags);
	f = &ld->flags[ld->nflags++];
	f->entry = config_table_find(config_flag_keys[i].key);
	f->text = config_flag_keys[i].text != NULL ?
	    config_flag_keys[i].text : arg;
	f->flag = config_flag_keys[i].flag;
	if (f->entry == NULL)
		fatal("config: no row %s", config_flag_keys[i].key);
}

static void
config_apply_flags(struct config_load *ld)
{
	char *source;
	size_t i;

	for (i = 0; i < ld->nflags; i++) {
		source = xasprintf("flag %s", ld->flags[i].flag);
		config_set(ld, ld->flags[i].entry, ld->flags[i].text, source);
		free(source);
	}
}

static enum config_action
config_bad_option(int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "migrated: option %s needs an argument\n", opt);
	else if (optopt != 0)
		fprintf(stderr, "migrated: unknown option -%c\n", optopt);
	else
		fprintf(stderr, "migrated: unknown option %s\n", opt);
	return CONFIG_USAGE;
}

static enum config_action
config_positional(struct config *cfg, int argc, char **argv)
{
	if (optind == argc)
		return CONFIG_RUN;
	if (!cfg->once) {
		fprintf(stderr, "migrated: unexpected argument '%s' (a target "
		    "needs --once)\n", argv[optind]);
		return CONFIG_USAGE;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "migrated: --once takes one target, not "
		    "'%s'\n", argv[optind + 1]);
		return CONFIG_USAGE;
	}
	free(cfg->once_target);
	cfg->once_target = xstrdup(argv[optind]);
	return CONFIG_RUN;
}

static enum config_action
config_read_argv(struct config_load *ld, int argc, char **argv)
{
	struct config *cfg = ld->cfg;
	enum config_action action = CONFIG_RUN;
	int c;

	optind = 0;		/* glibc: start afresh; config_load may rerun */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:d:m:s:vhV", config_options,
	    NULL)) != -1) {
		switch (c) {
		case 'c':
			free(cfg->config_file);
			cfg->config_file = xstrdup(optarg);
			cfg->config_file_given = true;
			break;
		case 'h':
			if (action == CONFIG_RUN || action == CONFIG_VERSION)
				action = CONFIG_HELP;
			break;
		case 'V':
			if (action == CONFIG_RUN)
				action = CONFIG_VERSION;
			break;
		case OPT_ONCE:
			cfg->once = true;
			break;
		case '?':
		case ':':
			action = config_bad_option(c, argv);
			break;
		default:
			config_add_flag(ld, c, optarg);
			break;
		}
	}
	if (action == CONFIG_RUN)
		action = config_positional(cfg, argc, argv);
	return action;
}

/* Handle -h, -V and usage errors; returns what config_load returns. */
static int
config_exit_early(enum config_action action, int *exit_code)
{
	switch (action) {
	case CONFIG_HELP:
		config_usage(stdout);
		*exit_code = 0;
		return 1;
	case CONFIG_VERSION:
		printf("migrated %s\n", PACKAGE_VERSION);
		*exit_code = 0;
		return 1;
	default:
		fputs("Try 'migrated --help' for more information.\n", stderr);
		*exit_code = 2;
		return -EINVAL;
	}
}

int
config_load(struct config *cfg, int argc, char **argv, int *exit_code)
{
	struct config_load ld;
	enum config_action action;

	memset(cfg, 0, sizeof *cfg);
	memset(&ld, 0, sizeof ld);
	ld.cfg = cfg;
	cfg->values = xcalloc(config_table_len, sizeof *cfg->values);
	cfg->config_file = xstrdup(CONFIG_DEFAULT_FILE);
	cfg->once_target = xstrdup("heads");

	config_defaults(&ld);
	action = config_read_argv(&ld, argc, argv);
	if (action != CONFIG_RUN) {
		free(ld.flags);
		return config_exit_early(action, exit_code);
	}
	config_read_file(&ld);
	config_read_env(&ld);
	config_apply_flags(&ld);
	free(ld.flags);
	if (ld.nerrors > 0) {
		*exit_code = EXIT_CONFIG;
		return -EINVAL;
	}
	*exit_code = 0;
	return 0;
}

void
config_free(struct config *cfg)
{
	size_t i;

	config_table_free(cfg);
	if (cfg->values != NULL) {
		for (i = 0; i < config_table_len; i++) {
			free(cfg->values[i].text);
			free(cfg->values[i].source);
		}
	}
	free(cfg->values);
	free(cfg->config_file);
	free(cfg->once_target);
	memset(cfg, 0, sizeof *cfg);
}

const char *
config_source(const struct config *cfg, const char *key)
{
	const struct config_entry *e;

	if (cfg->values == NULL || (e = config_table_find(key)) == NULL)
		return NULL;
	return cfg->values[e - config_table].source;
}

void
config_log(const struct config *cfg)
{
	const struct config_entry *e;
	const struct config_value *v;
	char *shown;
	size_t i;

	if (!log_enabled(LOG_LVL_DEBUG) || cfg->values == NULL)
		return;
	for (i = 0; i < config_table_len; i++) {
		e = &config_table[i];
		v = &cfg->values[i];
		if (v->text == NULL)
			shown = xstrdup("(unset)");
		else if (e->flags & CFG_SECRET)
			shown = config_redact(v->text);
		else
			shown = xstrdup(v->text);
		log_debug("config: %s = %s (%s)", e->name, shown,
		    v->source != NULL ? v->source : "default");
		free(shown);
	}
}

void
config_usage(void *f)
{
	const struct config_entry *e;
	FILE *fp = f;
	size_t i;

	fputs("usage: migrated [-c FILE] [-d DATABASE_URL] [-m DIR] "
	    "[-s SOCKET]\n"
	    "                [--no-auto-migrate] [-v] [-h] [-V]\n"
	    "       migrated --once [--lock-wait DURATION] [--atomic] "
	    "[options] [TARGET]\n\n"
	    "Options:\n", fp);
	fprintf(fp, "  -c, --config FILE         settings file (default %s)\n",
	    CONFIG_DEFAULT_FILE);
	fputs("  -d, --database-url URL    libpq connection string or URI\n"
	    "  -m, --migrations-dir DIR  the folder holding the .sql files\n"
	    "  -s, --socket PATH         the control socket\n"
	    "      --no-auto-migrate     verify only; apply nothing until "
	    "asked\n"
	    "  -v, --verbose             log at debug level\n"
	    "      --once                upgrade to TARGET (default heads), "
	    "print what was\n"
	    "                            done and exit\n"
	    "      --lock-wait DURATION  with --once: wait this long for the "
	    "lock (60s)\n"
	    "      --atomic              run a whole upgrade in one "
	    "transaction\n"
	    "  -h, --help                show this help and exit\n"
	    "  -V, --version             show the version and exit\n\n"
	    "Environment:\n", fp);
	for (i = 0; i < config_table_len; i++) {
		e = &config_table[i];
		if (e->env != NULL)
			fprintf(fp, "  %-24s %s %s\n", e->env,
			    (e->flags & CFG_ENV_INVERT) ? "true turns off" :
			    "sets", e->name);
	}
	fputs("  PG*                      libpq's defaults (PGHOST, "
	    "PGDATABASE, PGPASSFILE...)\n\n"
	    "Later wins: defaults < settings file < environment < flags.\n"
	    "Durations take GUC units: 250ms, 5s, 1min, 2h, 1d. "
	    "See migrated.conf(5).\n", fp);
}
