/* SPDX-License-Identifier: MIT */
/* test-log.c: unit tests for the JSON log format (log_format = json). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"

/* Format rec into a buffer of size bytes; the line must parse as JSON. */
static json_t *
format(const struct log_record *rec, size_t size)
{
	char *buf = malloc(size);
	json_error_t jerr;
	json_t *o;
	size_t len;

	assert_non_null(buf);
	len = log_format_json(rec, buf, size);
	assert_int_equal(len, strlen(buf));
	assert_true(len < size);
	assert_true(len > 0 && buf[len - 1] == '\n');
	assert_null(memchr(buf, '\n', len - 1));	/* one line */
	o = json_loadb(buf, len, 0, &jerr);
	if (o == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, buf);
	free(buf);
	return o;
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
test_fields(void **state)
{
	struct log_record rec = { LOG_LVL_WARN, "lock timeout, retrying",
	    "upgrade", "d382069dacef", 1234, "55P03" };
	json_t *o;

	log_init("migrated", LOG_LVL_DEBUG);
	o = format(&rec, 8192);
	assert_string_equal(str(o, "level"), "warn");
	assert_string_equal(str(o, "msg"), "lock timeout, retrying");
	assert_string_equal(str(o, "op"), "upgrade");
	assert_string_equal(str(o, "revision"), "d382069dacef");
	assert_string_equal(str(o, "sqlstate"), "55P03");
	assert_string_equal(str(o, "prog"), "migrated");
	assert_int_equal(json_integer_value(json_object_get(o, "duration_ms")),
	    1234);
	assert_true(json_integer_value(json_object_get(o, "pid")) > 0);
	/* 2026-12-06T21:53:09.925Z */
	assert_int_equal(strlen(str(o, "ts")), 24);
	assert_int_equal(str(o, "ts")[23], 'Z');
	json_decref(o);

	/* unknown fields are left out, not null */
	rec.op = rec.revision = rec.sqlstate = NULL;
	rec.duration_ms = -1;
	rec.level = LOG_LVL_ERROR;
	o = format(&rec, 8192);
	assert_int_equal(json_object_size(o), 5);	/* ts level prog pid msg */
	assert_string_equal(str(o, "level"), "error");
	json_decref(o);
}

/* The pid a line names is the process's own, also in a fork() child. */
static void
test_pid_after_fork(void **state)
{
	struct log_record rec = { LOG_LVL_INFO, "m", NULL, NULL, -1, NULL };
	char line[256], want[64];
	int status;
	pid_t pid;

	log_init("migrated", LOG_LVL_DEBUG);
	snprintf(want, sizeof want, " migrated[%ld] info: m", (long)getpid());
	log_format_line(&rec, line, sizeof line);
	assert_non_null(strstr(line, want));
	if ((pid = fork()) == 0) {
		snprintf(want, sizeof want, " migrated[%ld] info: m",
		    (long)getpid());
		log_format_line(&rec, line, sizeof line);
		_exit(strstr(line, want) != NULL ? 0 : 1);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	log_format_line(&rec, line, sizeof line);
	snprintf(want, sizeof want, " migrated[%ld] info: m", (long)getpid());
	assert_non_null(strstr(line, want));
}

/* A plain line, whole and cut to any size, as snprintf() would write it. */
static void
test_plain_line(void **state)
{
	struct log_record rec = { LOG_LVL_WARN, "lock timeout, retrying",
	    "upgrade", "d382069dacef", -1, NULL };
	char whole[512], cut[512], want[512];
	size_t len, size;
	int i;

	log_init("migrated", LOG_LVL_DEBUG);
	log_format_line(&rec, whole, sizeof whole);
	/* 2026-12-06T21:53:09.925Z */
	for (i = 0; i < 24; i++)
		if (i == 4 || i == 7)
			assert_int_equal(whole[i], '-');
		else if (i == 10)
			assert_int_equal(whole[i], 'T');
		else if (i == 13 || i == 16)
			assert_int_equal(whole[i], ':');
		else if (i == 19)
			assert_int_equal(whole[i], '.');
		else if (i == 23)
			assert_int_equal(whole[i], 'Z');
		else
			assert_true(whole[i] >= '0' && whole[i] <= '9');
	snprintf(want, sizeof want, " migrated[%ld] warn: upgrade "
	    "d382069dacef: lock timeout, retrying", (long)getpid());
	assert_string_equal(whole + 24, want);
	len = strlen(whole);
	for (size = 25; size <= len + 1; size++) {
		log_format_line(&rec, cut, size);
		assert_int_equal(strlen(cut), size - 1);
		assert_memory_equal(cut + 24, whole + 24, size - 25);
	}
	rec.op = NULL;
	log_format_line(&rec, whole, sizeof whole);
	snprintf(want, sizeof want, " migrated[%ld] warn: lock timeout, "
	    "retrying", (long)getpid());
	assert_string_equal(whole + 24, want);
}

/* Quotes, backslashes, control characters and bad UTF-8 stay one line. */
static void
test_escaping(void **state)
{
	struct log_record rec = { LOG_LVL_INFO, NULL, NULL, NULL, -1, NULL };
	json_t *o;

	rec.message = "ERROR:  syntax error at \"x\"\nLINE 1: a\\b\t\x01\x7f";
	o = format(&rec, 8192);
	assert_string_equal(str(o, "msg"),
	    "ERROR:  syntax error at \"x\"\nLINE 1: a\\b\t\x01\x7f");
	json_decref(o);

	/* valid UTF-8 passes as is; invalid bytes become U+FFFD */
	rec.message = "caf\xc3\xa9 \xff\xc0\xaf \xed\xa0\x80!";
	o = format(&rec, 8192);
	assert_string_equal(str(o, "msg"), "caf\xc3\xa9 \xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!");
	json_decref(o);

	rec.revision = "ab\"c";
	rec.message = "m";
	o = format(&rec, 8192);
	assert_string_equal(str(o, "revision"), "ab\"c");
	json_decref(o);
}

/* A message too long for the buffer is cut, marked, and still JSON. */
static void
test_truncation(void **state)
{
	struct log_record rec = { LOG_LVL_INFO, NULL, "upgrade", "abc", 5,
	    NULL };
	char *msg = malloc(5000);
	size_t sizes[] = { 256, 300, 1024, 4096 }, i;
	json_t *o;

	assert_non_null(msg);
	/* each '\n' takes 2 bytes, each é 2, each \x01 6: cuts fall anywhere */
	for (i = 0; i + 3 < 4999; i += 4)
		memcpy(msg + i, "\n\xc3\xa9\x01", 4);
	msg[i] = '\0';
	rec.message = msg;
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		o = format(&rec, sizes[i]);
		assert_non_null(strstr(str(o, "msg"), " [truncated]"));
		assert_string_equal(str(o, "revision"), "abc");
		json_decref(o);
	}
	free(msg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_pid_after_fork),
		cmocka_unit_test(test_plain_line),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_truncation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
