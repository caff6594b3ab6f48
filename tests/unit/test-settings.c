/* SPDX-License-Identifier: MIT */
/* test-settings.c: settings table, layering, parse errors, redaction. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/settings.h"
#include "daemon/settings-table.h"
#include "log.h"

#define MAX_ARGS 32

static const char *const env_vars[] = {
	"DATABASE_URL", "MIGRATIONS_DIR", "MIGRATED_SOCKET",
	"DISABLE_AUTO_MIGRATIONS",
};

/* What one settings_load() did. */
struct run {
	struct settings cfg;
	int r;
	int code;
	char *out;		/* stdout */
	char *err;		/* stderr */
};

static char conf_path[64];

static int
setup(void **state)
{
	size_t i;

	for (i = 0; i < sizeof env_vars / sizeof env_vars[0]; i++)
		unsetenv(env_vars[i]);
	conf_path[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	if (conf_path[0] != '\0')
		unlink(conf_path);
	return setup(state);
}

/* Write text to a fresh temporary config file; returns its path. */
static const char *
write_conf(const char *text)
{
	FILE *f;
	int fd;

	if (conf_path[0] != '\0')
		unlink(conf_path);
	strcpy(conf_path, "/tmp/test-config.XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return conf_path;
}

static char *
slurp(FILE *f)
{
	char *buf;
	long len;

	fflush(f);
	len = ftell(f);
	assert_true(len >= 0);
	buf = calloc(1, (size_t)len + 1);
	assert_non_null(buf);
	rewind(f);
	if (len > 0)
		assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

/* settings_load("migrated", args..., NULL) with stdout and stderr captured. */
static void
load(struct run *run, ...)
{
	char *argv[MAX_ARGS + 2];
	FILE *out = tmpfile(), *err = tmpfile();
	int argc = 0, saved_out, saved_err;
	va_list ap;

	assert_non_null(out);
	assert_non_null(err);
	argv[argc++] = (char *)"migrated";
	va_start(ap, run);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		assert_true(++argc <= MAX_ARGS);
	va_end(ap);

	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	run->r = settings_load(&run->cfg, argc, argv, &run->code);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	fseek(out, 0, SEEK_END);
	fseek(err, 0, SEEK_END);
	run->out = slurp(out);
	run->err = slurp(err);
}

static void
run_free(struct run *run)
{
	settings_free(&run->cfg);
	free(run->out);
	free(run->err);
}

static void
assert_ok(struct run *run)
{
	if (run->r != 0)
		print_error("unexpected failure: %s\n", run->err);
	assert_int_equal(run->r, 0);
	assert_int_equal(run->code, 0);
	assert_string_equal(run->err, "");
}

/* A single config error, exactly. */
static void
assert_one_error(struct run *run, const char *want)
{
	char *line = NULL;

	assert_int_equal(run->r, -EINVAL);
	assert_int_equal(run->code, EXIT_CONFIG);
	assert_non_null(line = malloc(strlen(want) + 16));
	sprintf(line, "migrated: %s\n", want);
	assert_string_equal(run->err, line);
	free(line);
}

/* Load a file holding "key = value" and expect one error about it. */
static void
assert_bad_value(const char *key, const char *value, const char *problem)
{
	struct run run;
	char *text, *want;

	text = malloc(strlen(key) + strlen(value) + 16);
	assert_non_null(text);
	sprintf(text, "%s = %s\n", key, value);
	load(&run, "-c", write_conf(text), NULL);
	want = malloc(strlen(text) + strlen(problem) + 128);
	assert_non_null(want);
	sprintf(want, "%s = '%s' (%s:1): %s", key, value, conf_path, problem);
	assert_one_error(&run, want);
	run_free(&run);
	free(text);
	free(want);
}

static void
test_defaults(void **state)
{
	struct run run;
	struct settings *c = &run.cfg;

	if (access(SETTINGS_DEFAULT_FILE, F_OK) == 0)
		skip();
	load(&run, NULL);
	assert_ok(&run);
	assert_null(c->database_url);
	assert_string_equal(c->migrations_dir, "/usr/share/migrated/versions");
	assert_string_equal(c->socket_path, "/run/migrated/migrated.sock");
	assert_int_equal(c->socket_mode, 0660);
	assert_null(c->socket_group);
	assert_null(c->admin_group);
	assert_true(c->auto_migrate);
	assert_int_equal(c->ready_when, READY_SOCKET);
	assert_string_equal(c->version_table, "alembic_version");
	assert_string_equal(c->version_table_schema, "public");
	assert_string_equal(c->history_table, "migrated_history");
	assert_null(c->lock_key);
	assert_string_equal(c->lock_timeout, "5s");
	assert_string_equal(c->statement_timeout, "0");
	assert_int_equal(c->lock_retries, 3);
	assert_int_equal(c->transaction_mode, TXN_PER_REVISION);
	assert_false(c->allow_drift);
	assert_int_equal(c->standby_poll_interval_ms, 100);
	assert_int_equal(c->refresh_interval_ms, 5000);
	assert_int_equal(c->reconnect_max_interval_ms, 30000);
	assert_int_equal(c->shutdown_timeout_ms, 30000);
	assert_int_equal(c->max_clients, 256);
	assert_int_equal(c->log_level, LOG_LVL_INFO);
	assert_string_equal(c->config_file, SETTINGS_DEFAULT_FILE);
	assert_false(c->config_file_given);
	assert_false(c->once);
	assert_string_equal(c->once_target, "heads");
	assert_int_equal(c->lock_wait_ms, 60000);
	assert_string_equal(settings_source(c, "socket_path"), "default");
	assert_string_equal(settings_source(c, "database_url"), "default");
	assert_null(settings_source(c, "no_such_key"));
	run_free(&run);
}

/* Every row's default parses, and the docs mention every file key. */
static void
test_table(void **state)
{
	static const char *const docs[] = {
		TEST_SRCDIR "/man/migrated.conf.5",
		TEST_SRCDIR "/systemd/migrated.conf.example",
	};
	struct settings cfg;
	char *why, *text;
	size_t i, j;
	FILE *f;

	memset(&cfg, 0, sizeof cfg);
	for (i = 0; i < settings_table_len; i++) {
		if (settings_table[i].defval == NULL)
			continue;
		assert_int_equal(settings_table_set(&cfg, &settings_table[i],
		    settings_table[i].defval, &why), 0);
		assert_null(why);
	}
	settings_table_free(&cfg);
	for (j = 0; j < sizeof docs / sizeof docs[0]; j++) {
		f = fopen(docs[j], "r");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		text = slurp(f);
		for (i = 0; i < settings_table_len; i++) {
			if (settings_table[i].flags & CFG_NOFILE)
				continue;
			if (strstr(text, settings_table[i].name) == NULL)
				fail_msg("%s does not mention %s", docs[j],
				    settings_table[i].name);
		}
		free(text);
	}
}

/* The example file, uncommented, loads and shows every default. */
static void
test_example(void **state)
{
	const struct settings_entry *e;
	const struct settings_value *v;
	struct run run;
	char *text, *p;
	size_t i;
	FILE *f;

	f = fopen(TEST_SRCDIR "/systemd/migrated.conf.example", "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	text = slurp(f);
	/* "#key = value" lines become settings */
	for (p = text; (p = strchr(p, '#')) != NULL; p++) {
		if ((p == text || p[-1] == '\n') && p[1] >= 'a' && p[1] <= 'z')
			*p = ' ';
	}
	load(&run, "-c", write_conf(text), NULL);
	assert_ok(&run);
	for (i = 0; i < settings_table_len; i++) {
		e = &settings_table[i];
		v = &run.cfg.values[i];
		if (e->flags & CFG_NOFILE)
			continue;
		if (strstr(v->source, conf_path) != v->source)
			fail_msg("the example does not set %s", e->name);
		if (e->defval != NULL && strcmp(v->text, e->defval) != 0)
			fail_msg("the example shows %s = %s, default %s",
			    e->name, v->text, e->defval);
	}
	run_free(&run);
	free(text);
}

static void
test_layering(void **state)
{
	struct run run;
	struct settings *c = &run.cfg;
	const char *path;
	char src[128];

	path = write_conf("# layering\n"
	    "migrations_dir = /file/versions\n"
	    "socket_path = /file/sock\n"
	    "database_url = dbname=file\n"
	    "lock_retries = 7\n"
	    "log_level = warn\n");
	setenv("MIGRATIONS_DIR", "/env/versions", 1);
	setenv("MIGRATED_SOCKET", "/env/sock", 1);
	load(&run, "-c", path, "-s", "/flag/sock", NULL);
	assert_ok(&run);
	assert_string_equal(c->migrations_dir, "/env/versions");
	assert_string_equal(c->socket_path, "/flag/sock");
	assert_string_equal(c->database_url, "dbname=file");
	assert_int_equal(c->lock_retries, 7);
	assert_int_equal(c->log_level, LOG_LVL_WARN);
	assert_int_equal(c->max_clients, 256);
	assert_true(c->config_file_given);
	assert_string_equal(settings_source(c, "migrations_dir"),
	    "environment MIGRATIONS_DIR");
	assert_string_equal(settings_source(c, "socket_path"), "flag -s");
	snprintf(src, sizeof src, "%s:4", path);
	assert_string_equal(settings_source(c, "database_url"), src);
	assert_string_equal(settings_source(c, "max_clients"), "default");
	run_free(&run);

	/* an empty environment variable counts as unset */
	setenv("MIGRATIONS_DIR", "", 1);
	load(&run, "-c", path, NULL);
	assert_ok(&run);
	assert_string_equal(c->migrations_dir, "/file/versions");
	assert_string_equal(c->socket_path, "/env/sock");
	run_free(&run);
}

static void
test_file_syntax(void **state)
{
	struct run run;
	struct settings *c = &run.cfg;

	load(&run, "-c", write_conf("\xef\xbb\xbf" "# whole-line comment\n"
	    "\n"
	    "   \t\n"
	    "  migrations_dir=/a/b   # trailing comment\n"
	    "socket_path = \"/run/with # hash.sock\"  # comment\n"
	    "socket_group = 'ops group'\n"
	    "admin_group = wheel#1\n"
	    "database_url = \"host=h password='x y'\"\r\n"
	    "allow_drift = yes\r\n"
	    "history_table =  hist  \n"
	    "lock_key = -42\n"
	    "ready_when = current\n"
	    "transaction_mode = all\n"
	    "socket_mode = 600\n"
	    "statement_timeout = 1.5s\n"
	    "lock_timeout = 60000\n"
	    "lock_retries = 1\n"
	    "lock_retries = 2\n"), NULL);
	assert_ok(&run);
	assert_string_equal(c->migrations_dir, "/a/b");
	assert_string_equal(c->socket_path, "/run/with # hash.sock");
	assert_string_equal(c->socket_group, "ops group");
	assert_string_equal(c->admin_group, "wheel#1");
	assert_string_equal(c->database_url, "host=h password='x y'");
	assert_true(c->allow_drift);
	assert_string_equal(c->history_table, "hist");
	assert_string_equal(c->lock_key, "-42");
	assert_int_equal(c->ready_when, READY_CURRENT);
	assert_int_equal(c->transaction_mode, TXN_ALL);
	assert_int_equal(c->socket_mode, 0600);
	assert_string_equal(c->statement_timeout, "1500ms");
	assert_string_equal(c->lock_timeout, "1min");
	assert_int_equal(c->lock_retries, 2);
	run_free(&run);

	/* an empty value unsets an optional key */
	load(&run, "-c", write_conf("database_url =\nlock_key = ''\n"), NULL);
	assert_ok(&run);
	assert_null(c->database_url);
	assert_null(c->lock_key);
	run_free(&run);
}

static void
test_file_errors(void **state)
{
	struct run run;
	const char *path;
	char *want;

	path = write_conf("lock_retries = 1\n"
	    "no_such_key = 1\n"
	    "just some words\n"
	    "socket_group = 'unterminated\n"
	    "admin_group = \"ops\" extra\n"
	    "lock_wait = 5s\n"
	    "lock_retries = abc\n");
	load(&run, "-c", path, NULL);
	assert_int_equal(run.r, -EINVAL);
	assert_int_equal(run.code, EXIT_CONFIG);
	want = malloc(1024);
	assert_non_null(want);
	snprintf(want, 1024,
	    "migrated: %1$s:2: unknown key 'no_such_key'\n"
	    "migrated: %1$s:3: expected 'key = value'\n"
	    "migrated: %1$s:4: unterminated quote\n"
	    "migrated: %1$s:5: text after the closing quote\n"
	    "migrated: %1$s:6: unknown key 'lock_wait'\n"
	    "migrated: lock_retries = 'abc' (%1$s:7): not an integer\n", path);
	assert_string_equal(run.err, want);
	free(want);
	run_free(&run);
}

static void
test_missing_file(void **state)
{
	struct run run;

	load(&run, "-c", "/nonexistent/migrated.conf", NULL);
	assert_one_error(&run,
	    "/nonexistent/migrated.conf: No such file or directory");
	run_free(&run);
}

/* One bad value of every type, from every source: all are reported. */
static void
test_all_errors(void **state)
{
	struct run run;
	const char *path;
	char *want;

	path = write_conf("lock_retries = abc\n"
	    "socket_mode = 999\n"
	    "auto_migrate = maybe\n"
	    "refresh_interval = 5 parsecs\n"
	    "ready_when = later\n"
	    "log_level = loud\n"
	    "version_table = 1bad\n"
	    "lock_key = 12x\n"
	    "statement_timeout = 5y\n"
	    "max_clients = 0\n"
	    "migrations_dir = ''\n");
	setenv("DISABLE_AUTO_MIGRATIONS", "perhaps", 1);
	load(&run, "-c", path, "--lock-wait", "soon", NULL);
	want = malloc(4096);
	assert_non_null(want);
	snprintf(want, 4096,
	    "migrated: lock_retries = 'abc' (%1$s:1): not an integer\n"
	    "migrated: socket_mode = '999' (%1$s:2): not an octal mode "
	    "(e.g. 0660)\n"
	    "migrated: auto_migrate = 'maybe' (%1$s:3): not a boolean "
	    "(true/false/yes/no/on/off/1/0)\n"
	    "migrated: refresh_interval = '5 parsecs' (%1$s:4): not a "
	    "duration (a number and ms, s, min, h or d)\n"
	    "migrated: ready_when = 'later' (%1$s:5): must be one of: "
	    "socket, current\n"
	    "migrated: log_level = 'loud' (%1$s:6): must be one of: error, "
	    "warn, info, debug\n"
	    "migrated: version_table = '1bad' (%1$s:7): not an identifier "
	    "([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)\n"
	    "migrated: lock_key = '12x' (%1$s:8): not a signed 64-bit "
	    "integer\n"
	    "migrated: statement_timeout = '5y' (%1$s:9): not a duration "
	    "(a number and ms, s, min, h or d)\n"
	    "migrated: max_clients = '0' (%1$s:10): out of range "
	    "(1..100000)\n"
	    "migrated: migrations_dir = '' (%1$s:11): must not be empty\n"
	    "migrated: auto_migrate = 'perhaps' (environment "
	    "DISABLE_AUTO_MIGRATIONS): not a boolean "
	    "(true/false/yes/no/on/off/1/0)\n"
	    "migrated: lock_wait = 'soon' (flag --lock-wait): not a duration "
	    "(a number and ms, s, min, h or d)\n", path);
	assert_string_equal(run.err, want);
	assert_int_equal(run.r, -EINVAL);
	assert_int_equal(run.code, EXIT_CONFIG);
	free(want);
	run_free(&run);
}

static void
test_type_errors(void **state)
{
	char long_ident[80];

	assert_bad_value("socket_mode", "01000", "out of range (0..0777)");
	assert_bad_value("socket_mode", "rw-rw----",
	    "not an octal mode (e.g. 0660)");
	assert_bad_value("lock_key", "9223372036854775808",
	    "not a signed 64-bit integer");
	assert_bad_value("version_table_schema", "a-b", "not an identifier "
	    "([A-Za-z_][A-Za-z0-9_]*, at most 63 characters)");
	memset(long_ident, 'a', 64);
	long_ident[64] = '\0';
	assert_bad_value("history_table", long_ident,
	    "longer than 63 characters");
	assert_bad_value("max_clients", "100001", "out of range (1..100000)");
	assert_bad_value("lock_retries", "-1", "out of range (0..100)");
	assert_bad_value("lock_retries", "99999999999999999999",
	    "out of range (0..100)");
	assert_bad_value("lock_retries", "3.5", "not an integer");
	assert_bad_value("standby_poll_interval", "5ms",
	    "out of range (10ms..1min)");
	assert_bad_value("standby_poll_interval", "2min",
	    "out of range (10ms..1min)");
	assert_bad_value("shutdown_timeout", "25d", "out of range (0..1d)");
	assert_bad_value("lock_timeout", "30d",
	    "out of range (0..2147483647ms)");
	assert_bad_value("lock_timeout", "-1s",
	    "not a duration (a number and ms, s, min, h or d)");
	assert_bad_value("transaction_mode", "each",
	    "must be one of: per-revision, all");
	assert_bad_value("allow_drift", "2",
	    "not a boolean (true/false/yes/no/on/off/1/0)");
}

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		int r, ms;
	} cases[] = {
		{ "250ms", 0, 250 }, { "5s", 0, 5000 }, { "1min", 0, 60000 },
		{ "2h", 0, 7200000 }, { "1d", 0, 86400000 }, { "0", 0, 0 },
		{ "0s", 0, 0 }, { "100", 0, 100 }, { " 5 s ", 0, 5000 },
		{ "1.5s", 0, 1500 }, { "0.5ms", 0, 1 }, { "0.4ms", 0, 0 },
		{ "2147483647ms", 0, 2147483647 }, { "24d", 0, 2073600000 },
		{ "", -EINVAL, 0 }, { "s", -EINVAL, 0 }, { "5x", -EINVAL, 0 },
		{ "5 sec", -EINVAL, 0 }, { "-5s", -EINVAL, 0 },
		{ "5S", -EINVAL, 0 }, { "5ms5", -EINVAL, 0 },
		{ "1..5s", -EINVAL, 0 }, { ".s", -EINVAL, 0 },
		{ "5 m s", -EINVAL, 0 }, { "abc", -EINVAL, 0 },
		{ "2147483648ms", -ERANGE, 0 }, { "25d", -ERANGE, 0 },
		{ "99999999999999999999s", -ERANGE, 0 },
		{ "596524h", -ERANGE, 0 },
	};
	size_t i;
	int ms;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ms = -7;
		if (settings_parse_duration_ms(cases[i].s, &ms) != cases[i].r)
			fail_msg("'%s': want %d", cases[i].s, cases[i].r);
		if (cases[i].r == 0 && ms != cases[i].ms)
			fail_msg("'%s': %d ms, want %d", cases[i].s, ms,
			    cases[i].ms);
		if (cases[i].r != 0)
			assert_int_equal(ms, -7);	/* untouched */
	}
}

static void
test_format_ms(void **state)
{
	static const struct {
		long long ms;
		const char *s;
	} cases[] = {
		{ 0, "0" }, { 250, "250ms" }, { 1500, "1500ms" },
		{ 5000, "5s" },
		{ 60000, "1min" }, { 90000, "90s" }, { 7200000, "2h" },
		{ 86400000, "1d" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = settings_format_ms(cases[i].ms);
		assert_string_equal(s, cases[i].s);
		free(s);
	}
}

static void
test_bools(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "1", "yes", "Yes",
	    "on" };
	static const char *const no[] = { "false", "False", "0", "no", "NO",
	    "off" };
	static const char *const bad[] = { "", "2", "truee", "y", " true",
	    "enabled" };
	size_t i;
	bool b;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		b = false;
		assert_int_equal(settings_parse_bool(yes[i], &b), 0);
		assert_true(b);
	}
	for (i = 0; i < sizeof no / sizeof no[0]; i++) {
		b = true;
		assert_int_equal(settings_parse_bool(no[i], &b), 0);
		assert_false(b);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(settings_parse_bool(bad[i], &b), -EINVAL);
}

static void
test_disable_auto_migrations(void **state)
{
	static const struct {
		const char *env;
		bool auto_migrate;
	} cases[] = {
		{ "true", false }, { "1", false }, { "yes", false },
		{ "TRUE", false }, { "on", false }, { "false", true },
		{ "0", true }, { "no", true }, { "", false },
	};
	struct run run;
	const char *path;
	size_t i;

	/* the file turns it off; the environment has the last word */
	path = write_conf("auto_migrate = false\n");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		setenv("DISABLE_AUTO_MIGRATIONS", cases[i].env, 1);
		load(&run, "-c", path, NULL);
		assert_ok(&run);
		if (run.cfg.auto_migrate != cases[i].auto_migrate)
			fail_msg("DISABLE_AUTO_MIGRATIONS=%s", cases[i].env);
		run_free(&run);
	}
	/* the flag beats the environment */
	setenv("DISABLE_AUTO_MIGRATIONS", "false", 1);
	load(&run, "-c", path, "--no-auto-migrate", NULL);
	assert_ok(&run);
	assert_false(run.cfg.auto_migrate);
	assert_string_equal(settings_source(&run.cfg, "auto_migrate"),
	    "flag --no-auto-migrate");
	run_free(&run);
}

static void
test_flags(void **state)
{
	struct run run;
	struct settings *c = &run.cfg;
	const char *path = write_conf("log_level = error\n");

	load(&run, "-c", path, "-d", "dbname=flag", "-m", "/m", "-s", "/s",
	    "--no-auto-migrate", "-v", "-v", "--atomic", "--lock-wait",
	    "5min", "--once", "head", NULL);
	assert_ok(&run);
	assert_string_equal(c->database_url, "dbname=flag");
	assert_string_equal(c->migrations_dir, "/m");
	assert_string_equal(c->socket_path, "/s");
	assert_false(c->auto_migrate);
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_int_equal(c->transaction_mode, TXN_ALL);
	assert_int_equal(c->lock_wait_ms, 300000);
	assert_true(c->once);
	assert_string_equal(c->once_target, "head");
	assert_string_equal(settings_source(c, "log_level"), "flag -v");
	run_free(&run);

	/* long forms; the target may come first */
	load(&run, "d382", "--config", path, "--database-url=dbname=x",
	    "--migrations-dir", "/m2", "--socket", "/s2", "--verbose",
	    "--once", NULL);
	assert_ok(&run);
	assert_string_equal(c->database_url, "dbname=x");
	assert_string_equal(c->migrations_dir, "/m2");
	assert_string_equal(c->socket_path, "/s2");
	assert_string_equal(c->once_target, "d382");
	run_free(&run);

	load(&run, "-c", path, "--once", NULL);
	assert_ok(&run);
	assert_string_equal(c->once_target, "heads");
	assert_int_equal(c->once_argc, 0);
	run_free(&run);

	/*
	 * --once COMMAND ARGS: the daemon's options stop at the command,
	 * whose own options (and -1) are left to it
	 */
	load(&run, "-c", path, "--once", "-v", "downgrade", "-1", "-d", "x",
	    NULL);
	assert_ok(&run);
	assert_int_equal(c->once_argc, 4);
	assert_string_equal(c->once_argv[0], "downgrade");
	assert_string_equal(c->once_argv[1], "-1");
	assert_string_equal(c->once_argv[3], "x");
	assert_int_equal(c->log_level, LOG_LVL_DEBUG);
	assert_string_not_equal(c->database_url != NULL ? c->database_url :
	    "", "x");
	run_free(&run);
	load(&run, "--once", "status", "--check", NULL);
	assert_ok(&run);
	assert_int_equal(c->once_argc, 2);
	assert_string_equal(c->once_argv[1], "--check");
	run_free(&run);
	load(&run, "--once", "history", NULL);
	assert_ok(&run);
	assert_int_equal(c->once_argc, 1);
	assert_string_equal(c->once_target, "history");
	run_free(&run);
}

static void
test_usage_errors(void **state)
{
	static const char *const cases[][4] = {
		{ "head", NULL },
		{ "a", "b", NULL },
		{ "-x", NULL },
		{ "--bogus", NULL },
		{ "-d", NULL },
		{ "--lock-wait", NULL },
		{ "-h", "--bogus", NULL },
	};
	struct run run;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		load(&run, cases[i][0], cases[i][1], cases[i][2], NULL);
		assert_int_equal(run.r, -EINVAL);
		assert_int_equal(run.code, 2);
		assert_non_null(strstr(run.err, "Try 'migrated --help'"));
		run_free(&run);
	}
	load(&run, "-x", NULL);
	assert_string_equal(run.err, "migrated: unknown option -x\n"
	    "Try 'migrated --help' for more information.\n");
	run_free(&run);
}

static void
test_help_version(void **state)
{
	static const char *const flags[] = { "-c", "--config", "-d", "-m",
	    "-s", "--no-auto-migrate", "-v", "-h", "--help", "-V",
	    "--version", "--once", "--lock-wait", "--atomic", "TARGET" };
	struct run run;
	size_t i;

	load(&run, "-h", "-c", "/nonexistent", NULL);
	assert_int_equal(run.r, 1);
	assert_int_equal(run.code, 0);
	assert_string_equal(run.err, "");
	assert_non_null(strstr(run.out, "usage: migrated"));
	for (i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		if (strstr(run.out, flags[i]) == NULL)
			fail_msg("--help lacks %s", flags[i]);
	}
	for (i = 0; i < settings_table_len; i++) {
		if (settings_table[i].env != NULL &&
		    strstr(run.out, settings_table[i].env) == NULL)
			fail_msg("--help lacks %s", settings_table[i].env);
	}
	run_free(&run);

	load(&run, "--version", NULL);
	assert_int_equal(run.r, 1);
	assert_int_equal(run.code, 0);
	assert_string_equal(run.out, "migrated " PACKAGE_VERSION "\n");
	run_free(&run);
}

static void
test_redact(void **state)
{
	static const char *const cases[][2] = {
		{ "postgresql://user:secret@db.example/app",
		  "postgresql://user:********@db.example/app" },
		{ "postgres://u:secret@h:5432/db?sslmode=require",
		  "postgres://u:********@h:5432/db?sslmode=require" },
		{ "postgresql://u:sec@r/et@h/db",
		  "postgresql://u:********@h/db" },
		{ "postgresql://:secret@h/db", "postgresql://:********@h/db" },
		{ "postgresql://u@h/db?password=secret&sslmode=require",
		  "postgresql://u@h/db?password=********&sslmode=require" },
		{ "postgresql://h/db?sslmode=require&password=secret",
		  "postgresql://h/db?sslmode=require&password=********" },
		{ "postgresql://h/db?%70assword=secret",
		  "postgresql://h/db?%70assword=********" },
		{ "postgresql://u:secret@h/db?sslpassword=secret",
		  "postgresql://u:********@h/db?sslpassword=********" },
		{ "postgresql://h:5432/db", "postgresql://h:5432/db" },
		{ "postgresql://u@h/db", "postgresql://u@h/db" },
		{ "host=h password=secret dbname=app",
		  "host=h password=******** dbname=app" },
		{ "host=h password = secret", "host=h password = ********" },
		{ "password='se cret' host=h", "password='********' host=h" },
		{ "password='it\\'s secret' host=h",
		  "password='********' host=h" },
		{ "password=sec\\ ret host=h", "password=******** host=h" },
		{ "password='unterminated secret",
		  "password='********'" },
		{ "host=h password=", "host=h password=********" },
		{ "host=h sslpassword=secret", "host=h sslpassword=********" },
		{ "dbname=postgresql://u:secret@h/db",
		  "dbname=postgresql://u:********@h/db" },
		{ "dbname='host=h password=secret'",
		  "dbname='host=h password=********'" },
		{ "host=h user=passwordless", "host=h user=passwordless" },
		{ "", "" },
	};
	size_t i;
	char *s;

	s = settings_redact(NULL);
	assert_string_equal(s, "(default)");
	free(s);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = settings_redact(cases[i][0]);
		assert_string_equal(s, cases[i][1]);
		assert_null(strstr(s, "secret"));
		free(s);
	}
}

/* A bad database_url is echoed without its password. */
static void
test_secret_in_error(void **state)
{
	static const char *const bad[] = {
		"host=h password=hunter2 bogus",
		"postgresql://u:hunter2%zz@h/db",
		"postgresql://u@h/db?password=hunter2&bogus=1",
	};
	struct run run;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		setenv("DATABASE_URL", bad[i], 1);
		load(&run, "-c", write_conf(""), NULL);
		assert_int_equal(run.code, EXIT_CONFIG);
		assert_non_null(strstr(run.err, "migrated: database_url = '"));
		assert_non_null(strstr(run.err, "********"));
		assert_non_null(strstr(run.err,
		    "(environment DATABASE_URL): not a connection string"));
		if (strstr(run.err, "hunter2") != NULL)
			fail_msg("password leaked: %s", run.err);
		run_free(&run);
	}
	/* without a password libpq's reason is shown */
	load(&run, "-c", write_conf("database_url = host=h bogus\n"), NULL);
	assert_int_equal(run.code, EXIT_CONFIG);
	assert_non_null(strstr(run.err, "not a connection string or URI: "));
	assert_non_null(strstr(run.err, "bogus"));
	run_free(&run);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_defaults),
		T(test_table),
		T(test_example),
		T(test_layering),
		T(test_file_syntax),
		T(test_file_errors),
		T(test_missing_file),
		T(test_all_errors),
		T(test_type_errors),
		T(test_durations),
		T(test_format_ms),
		T(test_bools),
		T(test_disable_auto_migrations),
		T(test_flags),
		T(test_usage_errors),
		T(test_help_version),
		T(test_redact),
		T(test_secret_in_error),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
