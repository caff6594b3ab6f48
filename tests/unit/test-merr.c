/* SPDX-License-Identifier: MIT */
/* test-merr.c: the history text of a failed step, and reading it back. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "merr.h"
#include "xmalloc.h"

static void
check_str(const char *what, const char *got, const char *want)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", what, got ? got : "(null)",
		    want ? want : "(null)");
}

static void
test_roundtrip(void **state)
{
	static const struct {
		const char *file;
		int line;
		const char *message, *sqlstate, *detail, *hint, *context;
		const char *fallback, *text;
	} t[] = {
		{ "v/a.sql", 14, "syntax error at or near \"x\"", "42601",
		    NULL, NULL, NULL, NULL,
		    "v/a.sql:14: syntax error at or near \"x\"\n"
		    "SQLSTATE: 42601" },
		{ NULL, 3, "boom\nsecond line", "P0001", "d1\nd2", "h",
		    "PL/pgSQL function inline_code_block line 1 at RAISE",
		    "/m/b.sql",
		    "/m/b.sql:3: boom\nsecond line\nSQLSTATE: P0001\n"
		    "DETAIL: d1\nd2\nHINT: h\nCONTEXT: PL/pgSQL function "
		    "inline_code_block line 1 at RAISE" },
		{ NULL, 0, "the version table keeps changing", NULL, NULL,
		    NULL, NULL, NULL, "the version table keeps changing" },
		{ "c:/odd:name.sql", 7, "x: y", NULL, NULL, NULL, NULL, NULL,
		    "c:/odd:name.sql:7: x: y" },
	};
	struct merr e, back;
	char *text;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		memset(&e, 0, sizeof e);
		memset(&back, 0, sizeof back);
		e.file = t[i].file ? xstrdup(t[i].file) : NULL;
		e.line = t[i].line;
		e.message = xstrdup(t[i].message);
		e.sqlstate = t[i].sqlstate ? xstrdup(t[i].sqlstate) : NULL;
		e.detail = t[i].detail ? xstrdup(t[i].detail) : NULL;
		e.hint = t[i].hint ? xstrdup(t[i].hint) : NULL;
		e.context = t[i].context ? xstrdup(t[i].context) : NULL;
		text = merr_history_text(&e, t[i].fallback);
		check_str("text", text, t[i].text);
		merr_parse_history_text(text, &back);
		check_str("file", back.file, t[i].file ? t[i].file :
		    t[i].line > 0 ? t[i].fallback : NULL);
		assert_int_equal(back.line, t[i].line);
		check_str("message", back.message, t[i].message);
		check_str("sqlstate", back.sqlstate, t[i].sqlstate);
		check_str("detail", back.detail, t[i].detail);
		check_str("hint", back.hint, t[i].hint);
		check_str("context", back.context, t[i].context);
		free(text);
		merr_clear(&e);
		merr_clear(&back);
	}
}

static void
test_parse_hostile(void **state)
{
	static const char *const in[] = { "", ":", ":1: x", "a:1:", "a:1:x",
	    "a:99999999999999: x", "\nSQLSTATE: 1", "x\nDETAIL: ",
	    "f:2: m\nHINT: a\nHINT: b" };
	struct merr e = { 0 };
	size_t i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		merr_parse_history_text(in[i], &e);
		assert_non_null(e.message);
		merr_clear(&e);
	}
	merr_parse_history_text("f:2: m\nHINT: a\nHINT: b", &e);
	check_str("first hint wins", e.hint, "a");
	merr_clear(&e);
	merr_parse_history_text("f:2: m\nSQLSTATE: 55000\nSTATEMENTS: 1 of 2 "
	    "done (the last at f:1); f:2 did not complete", &e);
	check_str("progress ends the field", e.sqlstate, "55000");
	check_str("message", e.message, "m");
	merr_clear(&e);
	merr_parse_history_text(NULL, &e);
	assert_null(e.message);
}

/* merr_copy: every field, owned by the copy. */
static void
test_copy(void **state)
{
	struct merr a = { 0 }, b = { 0 };

	merr_set(&a, MERR_DIRTY, "m");
	a.revision = xstrdup("r");
	a.file = xstrdup("f.sql");
	a.line = 3;
	a.position = 4;
	a.sqlstate = xstrdup("42P01");
	a.detail = xstrdup("d");
	a.hint = xstrdup("h");
	a.context = xstrdup("c");
	a.state = xstrdup("dirty");
	merr_set(&b, MERR_INTERNAL, "old");
	merr_copy(&b, &a);
	merr_clear(&a);			/* b owns its own strings */
	assert_int_equal(b.code, MERR_DIRTY);
	assert_string_equal(b.message, "m");
	assert_string_equal(b.revision, "r");
	assert_string_equal(b.file, "f.sql");
	assert_int_equal(b.line, 3);
	assert_int_equal(b.position, 4);
	assert_string_equal(b.sqlstate, "42P01");
	assert_string_equal(b.detail, "d");
	assert_string_equal(b.hint, "h");
	assert_string_equal(b.context, "c");
	assert_string_equal(b.state, "dirty");
	merr_copy(&a, &b);
	merr_copy(&a, &a);
	assert_string_equal(a.state, "dirty");
	merr_clear(&a);
	merr_clear(&b);
}

/* SPEC §6's table: every code's exit code, the same in both programs. */
static void
test_exit_codes(void **state)
{
	static const struct {
		const char *code;
		int exit;
	} t[] = {
		{ "migration_failed", 1 }, { "irreversible", 1 },
		{ "drift_detected", 1 }, { "dirty", 1 }, { "cancelled", 1 },
		{ "lint_refused", 1 }, { "internal", 1 },
		{ "bad_request", 2 }, { "unknown_op", 2 },
		{ "revision_not_found", 2 }, { "ambiguous_revision", 2 },
		{ "multiple_heads", 2 },
		{ "not_leader", 75 }, { "db_unavailable", 75 },
		{ "shutting_down", 75 }, { "busy", 75 }, { "timeout", 75 },
		{ "unauthorized", 77 },
	};
	enum merr_code c;
	size_t i;

	assert_int_equal(ARRAY_LEN(t), MERR__MAX - 1);	/* every code */
	for (i = 0; i < ARRAY_LEN(t); i++) {
		c = merr_code_from_name(t[i].code);
		assert_int_not_equal(c, MERR_NONE);
		assert_int_equal(merr_exit_code(c), t[i].exit);
	}
	assert_int_equal(merr_exit_code(MERR_NONE), 0);
	assert_int_equal(merr_exit_code(MERR__MAX), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
