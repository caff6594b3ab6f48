/* SPDX-License-Identifier: MIT */
/* test-kvfile.c: the "key = value" line syntax of settings files. */
#include "config.h"

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

#include "kvfile.h"
#include "xmalloc.h"

static void
test_split(void **state)
{
	static const struct {
		const char *line, *key, *value, *problem;
	} t[] = {
		{ "", NULL, NULL, NULL },
		{ "   \t\n", NULL, NULL, NULL },
		{ "# comment", NULL, NULL, NULL },
		{ "  # indented comment", NULL, NULL, NULL },
		{ "a = b", "a", "b", NULL },
		{ "a=b\n", "a", "b", NULL },
		{ "  key   =   value with blanks  \r\n", "key",
		    "value with blanks", NULL },
		{ "a = b # comment", "a", "b", NULL },
		{ "a = b#not a comment", "a", "b#not a comment", NULL },
		{ "a = #x", "a", "", NULL },
		{ "a =", "a", "", NULL },
		{ "a = 'quoted # not a comment'  # c", "a",
		    "quoted # not a comment", NULL },
		{ "a = \"dq\"", "a", "dq", NULL },
		{ "a = 'x = y'", "a", "x = y", NULL },
		{ "a = b = c", "a", "b = c", NULL },
		{ "no equals sign", NULL, NULL, "expected 'key = value'" },
		{ "a = 'open", NULL, NULL, "unterminated quote" },
		{ "a = 'x' y", NULL, NULL, "text after the closing quote" },
	};
	const char *problem;
	char *line, *key, *value;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		line = xstrdup(t[i].line);
		problem = kvfile_split_line(line, &key, &value);
		if (t[i].problem != NULL) {
			assert_non_null(problem);
			assert_string_equal(problem, t[i].problem);
		} else {
			if (problem != NULL)
				fail_msg("'%s': %s", t[i].line, problem);
			if (t[i].key == NULL)
				assert_null(key);
			else {
				assert_string_equal(key, t[i].key);
				assert_string_equal(value, t[i].value);
			}
		}
		free(line);
	}
}

struct seen {
	char text[512];
	size_t len;
};

static void
record(void *arg, const char *path, unsigned int line, const char *key,
    const char *value, const char *problem)
{
	struct seen *s = arg;

	s->len += (size_t)snprintf(s->text + s->len, sizeof s->text - s->len,
	    "%u:%s=%s%s;", line, key != NULL ? key : "", value != NULL ?
	    value : "", problem != NULL ? problem : "");
}

static void
test_read(void **state)
{
	char path[] = "/tmp/test-kvfile.XXXXXX";
	struct seen s = { "", 0 };
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("\xef\xbb\xbfmigrations_dir = /srv/m\n\n# c\nbroken\n"
	    "socket_path='/run/x.sock'\n", f);
	fclose(f);
	assert_int_equal(kvfile_read(path, record, &s), 0);
	assert_string_equal(s.text, "1:migrations_dir=/srv/m;"
	    "4:=expected 'key = value';5:socket_path=/run/x.sock;");
	unlink(path);
	assert_int_equal(kvfile_read(path, record, &s), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
