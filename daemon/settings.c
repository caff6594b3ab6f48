/* SPDX-License-Identifier: MIT */
/* settings.c: settings from defaults, file, environment and flags (SPEC §4). */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "settings-table.h"
#include "kvfile.h"
#include "log.h"
#include "xmalloc.h"

/* A flag's setting, applied after the file and the environment. */
struct settings_flag {
	const struct settings_entry *entry;
	const char *text;		/* borrowed from argv or static */
	const char *flag;
};

struct settings_load {
	struct settings *cfg;
	int nerrors;
	struct settings_flag *flags;
	size_t nflags;
};

enum settings_action { SETTINGS_RUN, SETTINGS_HELP, SETTINGS_VERSION, SETTINGS_USAGE };

enum {
	OPT_NO_AUTO = 256,
	OPT_ONCE,
	OPT_LOCK_WAIT,
	OPT_ATOMIC,
};

static const struct option settings_options[] = {
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
} settings_flag_keys[] = {
	{ 'd', "database_url", NULL, "-d" },
	{ 'm', "migrations_dir", NULL, "-m" },
	{ 's', "socket_path", NULL, "-s" },
	{ OPT_NO_AUTO, "auto_migrate", "false", "--no-auto-migrate" },
	{ 'v', "log_level", "debug", "-v" },
	{ OPT_LOCK_WAIT, "lock_wait", NULL, "--lock-wait" },
	{ OPT_ATOMIC, "transaction_mode", "all", "--atomic" },
};

#define REDACTED "********"

static void settings_error(struct settings_load *, const char *, ...)
    MIG_PRINTF(2, 3);

static void
settings_error(struct settings_load *ld, const char *fmt, ...)
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
settings_secret_key(const char *key, size_t len)
{
	return (len == 8 && strncmp(key, "password", len) == 0) ||
	    (len == 11 && strncmp(key, "sslpassword", len) == 0);
}

/* The end of a key=value value at p: quoted with \ escapes, or a word. */
static const char *
settings_kv_value_end(const char *p)
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
settings_redact_value(FILE *f, const char *key, size_t klen, const char *val,
    size_t vlen)
{
	bool quoted = vlen > 0 && *val == '\'';
	char *inner, *safe;

	if (settings_secret_key(key, klen)) {
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
	safe = settings_redact(inner);
	fprintf(f, quoted ? "'%s'" : "%s", safe);
	free(safe);
	free(inner);
}

static void
settings_redact_kv(FILE *f, const char *s)
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
		p = settings_kv_value_end(p);
		settings_redact_value(f, key, klen, val, (size_t)(p - val));
	}
}

static int
settings_hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	return tolower((unsigned char)c) - 'a' + 10;
}

/* Is the URI query key k (percent-encoded, klen bytes) a secret? */
static bool
settings_secret_uri_key(const char *k, size_t klen)
{
	char key[16];
	size_t i, n = 0;

	for (i = 0; i < klen && n < sizeof key; i++, n++) {
		if (k[i] == '%' && i + 2 < klen &&
		    isxdigit((unsigned char)k[i + 1]) &&
		    isxdigit((unsigned char)k[i + 2])) {
			key[n] = (char)(settings_hexval(k[i + 1]) * 16 +
			    settings_hexval(k[i + 2]));
			i += 2;
		} else
			key[n] = k[i];
	}
	return i == klen && settings_secret_key(key, n);
}

static void
settings_redact_query(FILE *f, const char *q)
{
	const char *p = q, *amp, *eq;
	size_t len;

	fputc(*p++, f);			/* '?' */
	while (*p != '\0') {
		amp = strchr(p, '&');
		len = amp != NULL ? (size_t)(amp - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq != NULL && settings_secret_uri_key(p, (size_t)(eq - p))) {
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
settings_redact_uri(FILE *f, const char *s)
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
		settings_redact_query(f, q);
}

char *
settings_redact(const char *conninfo)
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
		settings_redact_uri(f, conninfo);
	else
		settings_redact_kv(f, conninfo);
	if (fclose(f) != 0 || out == NULL)
		fatal("settings_redact: out of memory");
	return out;
}

/* Set row e from text; on failure report key, value and source. */
static void
settings_set(struct settings_load *ld, const struct settings_entry *e,
    const char *text, const char *source)
{
	struct settings_value *v = &ld->cfg->values[e - settings_table];
	char *why, *shown;

	if (settings_table_set(ld->cfg, e, text, &why) < 0) {
		if (e->flags & CFG_SECRET)
			shown = settings_redact(text);
		else
			shown = xstrdup(text);
		settings_error(ld, "%s = '%s' (%s): %s", e->name, shown, source,
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
settings_defaults(struct settings_load *ld)
{
	const struct settings_entry *e;
	size_t i;

	for (i = 0; i < settings_table_len; i++) {
		e = &settings_table[i];
		if (e->defval != NULL)
			settings_set(ld, e, e->defval, "default");
		else
			ld->cfg->values[i].source = xstrdup("default");
	}
}

/* One line of the settings file (kvfile_read()). */
static void
settings_file_line(void *arg, const char *path, unsigned int n,
    const char *key, const char *value, const char *problem)
{
	struct settings_load *ld = arg;
	const struct settings_entry *e;
	char *source;

	if (problem != NULL) {
		settings_error(ld, "%s:%u: %s", path, n, problem);
		return;
	}
	e = settings_table_find(key);
	if (e == NULL || (e->flags & CFG_NOFILE)) {
		settings_error(ld, "%s:%u: unknown key '%s'", path, n, key);
		return;
	}
	source = xasprintf("%s:%u", path, n);
	settings_set(ld, e, value, source);
	free(source);
}

static void
settings_read_file(struct settings_load *ld)
{
	const char *path = ld->cfg->config_file;
	int r;

	r = kvfile_read(path, settings_file_line, ld);
	if (r < 0 && (r != -ENOENT || ld->cfg->config_file_given))
		settings_error(ld, "%s: %s", path, strerror(-r));
}

/* Environment variables; an empty one counts as unset. */
static void
settings_read_env(struct settings_load *ld)
{
	const struct settings_entry *e;
	const char *text;
	char *source;
	size_t i;
	bool b;

	for (i = 0; i < settings_table_len; i++) {
		e = &settings_table[i];
		if (e->env == NULL || (text = getenv(e->env)) == NULL ||
		    *text == '\0')
			continue;
		if ((e->flags & CFG_ENV_INVERT) &&
		    settings_parse_bool(text, &b) == 0)
			text = b ? "false" : "true";
		source = xasprintf("environment %s", e->env);
		settings_set(ld, e, text, source);
		free(source);
	}
}

static void
settings_add_flag(struct settings_load *ld, int opt, const char *arg)
{
	struct settings_flag *f;
	size_t i;

	for (i = 0; i < ARRAY_LEN(settings_flag_keys); i++) {
		if (settings_flag_keys[i].opt == opt)
			break;
	}
	if (i == ARRAY_LEN(settings_flag_keys))
		fatal("config: no key for option %d", opt);
	ld->flags = xreallocarray(ld->flags, ld->nflags + 1,
	    sizeof *ld->flags);
	f = &ld->flags[ld->nflags++];
	f->entry = settings_table_find(settings_flag_keys[i].key);
	f->text = settings_flag_keys[i].text != NULL ?
	    settings_flag_keys[i].text : arg;
	f->flag = settings_flag_keys[i].flag;
	if (f->entry == NULL)
		fatal("config: no row %s", settings_flag_keys[i].key);
}

static void
settings_apply_flags(struct settings_load *ld)
{
	char *source;
	size_t i;

	for (i = 0; i < ld->nflags; i++) {
		source = xasprintf("flag %s", ld->flags[i].flag);
		settings_set(ld, ld->flags[i].entry, ld->flags[i].text, source);
		free(source);
	}
}

static enum settings_action
settings_bad_option(int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		fprintf(stderr, "migrated: option %s needs an argument\n", opt);
	else if (optopt != 0)
		fprintf(stderr, "migrated: unknown option -%c\n", optopt);
	else
		fprintf(stderr, "migrated: unknown option %s\n", opt);
	return SETTINGS_USAGE;
}

static enum settings_action
settings_positional(struct settings *cfg, int argc, char **argv)
{
	if (optind == argc)
		return SETTINGS_RUN;
	if (!cfg->once) {
		fprintf(stderr, "migrated: unexpected argument '%s' (a target "
		    "needs --once)\n", argv[optind]);
		return SETTINGS_USAGE;
	}
	if (argc - optind > 1) {
		fprintf(stderr, "migrated: --once takes one target or a "
		    "command, not '%s'\n", argv[optind + 1]);
		return SETTINGS_USAGE;
	}
	/* a target, or a command without arguments (daemon/once.c) */
	cfg->once_argv = argv + optind;
	cfg->once_argc = 1;
	free(cfg->once_target);
	cfg->once_target = xstrdup(argv[optind]);
	return SETTINGS_RUN;
}

#define SETTINGS_SHORTOPTS "c:d:m:s:vhV"

/* Is arg one of the daemon's options, and does it take the next word? */
static bool
settings_known_opt(const char *arg, bool *takes_next)
{
	const struct option *o;
	const char *p;
	size_t len;

	*takes_next = false;
	if (arg[1] == '-') {
		len = strcspn(arg + 2, "=");
		for (o = settings_options; o->name != NULL; o++)
			if (strlen(o->name) == len &&
			    strncmp(o->name, arg + 2, len) == 0) {
				*takes_next = o->has_arg == required_argument &&
				    arg[2 + len] != '=';
				return true;
			}
		return false;
	}
	for (p = arg + 1; *p != '\0'; p++) {
		const char *s = strchr(SETTINGS_SHORTOPTS, *p);

		if (s == NULL || *p == ':')
			return false;
		if (s[1] == ':') {
			*takes_next = p[1] == '\0';
			return true;
		}
	}
	return true;
}

/*
 * --once COMMAND ARGS (daemon/once.c): the index of COMMAND, or argc. It
 * is the first word that is no option when more words follow it that are
 * not the daemon's options (downgrade -1, status --check, log -n 2,
 * status --help); otherwise the one word is a target, which may come
 * anywhere.
 */
static int
settings_once_command(int argc, char **argv)
{
	int i, first = -1;
	bool once = false, next, other = false;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] != '-' || argv[i][1] == '\0') {
			if (first >= 0)
				other = true;
			else
				first = i;
			continue;
		}
		/* after a word, --help is the command's (status --help) */
		if (!settings_known_opt(argv[i], &next) || (first >= 0 &&
		    (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0))) {
			if (first >= 0)
				other = true;
			continue;
		}
		if (strcmp(argv[i], "--once") == 0)
			once = true;
		if (next)
			i++;
	}
	return once && first >= 0 && other ? first : argc;
}

static enum settings_action
settings_read_argv(struct settings_load *ld, int argc, char **argv)
{
	struct settings *cfg = ld->cfg;
	enum settings_action action = SETTINGS_RUN;
	int c, cmd = settings_once_command(argc, argv);

	optind = 0;		/* glibc: start afresh; settings_load may rerun */
	opterr = 0;
	/* the daemon's options end where a --once command starts */
	while ((c = getopt_long(cmd, argv, ":" SETTINGS_SHORTOPTS,
	    settings_options, NULL)) != -1) {
		switch (c) {
		case 'c':
			free(cfg->config_file);
			cfg->config_file = xstrdup(optarg);
			cfg->config_file_given = true;
			break;
		case 'h':
			if (action == SETTINGS_RUN || action == SETTINGS_VERSION)
				action = SETTINGS_HELP;
			break;
		case 'V':
			if (action == SETTINGS_RUN)
				action = SETTINGS_VERSION;
			break;
		case OPT_ONCE:
			cfg->once = true;
			break;
		case '?':
		case ':':
			action = settings_bad_option(c, argv);
			break;
		default:
			settings_add_flag(ld, c, optarg);
			break;
		}
	}
	if (action == SETTINGS_RUN && cmd < argc) {
		cfg->once_argv = argv + cmd;
		cfg->once_argc = argc - cmd;
	} else if (action == SETTINGS_RUN)
		action = settings_positional(cfg, argc, argv);
	return action;
}

/* Handle -h, -V and usage errors; returns what settings_load returns. */
static int
settings_exit_early(enum settings_action action, int *exit_code)
{
	switch (action) {
	case SETTINGS_HELP:
		settings_usage(stdout);
		*exit_code = 0;
		return 1;
	case SETTINGS_VERSION:
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
settings_load(struct settings *cfg, int argc, char **argv, int *exit_code)
{
	struct settings_load ld;
	enum settings_action action;

	memset(cfg, 0, sizeof *cfg);
	memset(&ld, 0, sizeof ld);
	ld.cfg = cfg;
	cfg->values = xcalloc(settings_table_len, sizeof *cfg->values);
	cfg->config_file = xstrdup(SETTINGS_DEFAULT_FILE);
	cfg->once_target = xstrdup("heads");

	settings_defaults(&ld);
	action = settings_read_argv(&ld, argc, argv);
	if (action != SETTINGS_RUN) {
		free(ld.flags);
		return settings_exit_early(action, exit_code);
	}
	settings_read_file(&ld);
	settings_read_env(&ld);
	settings_apply_flags(&ld);
	free(ld.flags);
	if (ld.nerrors > 0) {
		*exit_code = EXIT_CONFIG;
		return -EINVAL;
	}
	*exit_code = 0;
	return 0;
}

void
settings_free(struct settings *cfg)
{
	size_t i;

	settings_table_free(cfg);
	if (cfg->values != NULL) {
		for (i = 0; i < settings_table_len; i++) {
			free(cfg->values[i].text);
			free(cfg->values[i].source);
		}
	}
	free(cfg->values);
	free(cfg->config_file);
	free(cfg->once_target);
	memset(cfg, 0, sizeof *cfg);
}

char *
settings_quote_ident(const char *name)
{
	size_t n = 2, i;
	const char *p;
	char *q;

	for (p = name; *p != '\0'; p++)
		n += *p == '"' ? 2 : 1;
	q = xmalloc(n + 1);
	i = 0;
	q[i++] = '"';
	for (p = name; *p != '\0'; p++) {
		if (*p == '"')
			q[i++] = '"';
		q[i++] = *p;
	}
	q[i++] = '"';
	q[i] = '\0';
	return q;
}

const char *
settings_source(const struct settings *cfg, const char *key)
{
	const struct settings_entry *e;

	if (cfg->values == NULL || (e = settings_table_find(key)) == NULL)
		return NULL;
	return cfg->values[e - settings_table].source;
}

void
settings_log(const struct settings *cfg)
{
	const struct settings_entry *e;
	const struct settings_value *v;
	char *shown;
	size_t i;

	if (!log_enabled(LOG_LVL_DEBUG) || cfg->values == NULL)
		return;
	for (i = 0; i < settings_table_len; i++) {
		e = &settings_table[i];
		v = &cfg->values[i];
		if (v->text == NULL)
			shown = xstrdup("(unset)");
		else if (e->flags & CFG_SECRET)
			shown = settings_redact(v->text);
		else
			shown = xstrdup(v->text);
		log_debug("config: %s = %s (%s)", e->name, shown,
		    v->source != NULL ? v->source : "default");
		free(shown);
	}
}

void
settings_usage(void *f)
{
	const struct settings_entry *e;
	FILE *fp = f;
	size_t i;

	fputs("usage: migrated [-c FILE] [-d DATABASE_URL] [-m DIR] "
	    "[-s SOCKET]\n"
	    "                [--no-auto-migrate] [-v] [-h] [-V]\n"
	    "       migrated --once [options] COMMAND [ARGS] (a migratectl "
	    "command)\n"
	    "       migrated --once [--lock-wait DURATION] [--atomic] "
	    "[options] [TARGET]\n\n"
	    "Options:\n", fp);
	fprintf(fp, "  -c, --config FILE         settings file (default %s)\n",
	    SETTINGS_DEFAULT_FILE);
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
	for (i = 0; i < settings_table_len; i++) {
		e = &settings_table[i];
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
