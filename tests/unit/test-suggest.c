/* SPDX-License-Identifier: MIT */
/* test-suggest.c: edit distance and "did you mean" (common/suggest.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suggest.h"

static void
test_distance(void **state)
{
	static const struct {
		const char *a, *b;
		size_t d;
	} t[] = {
		{ "", "", 0 }, { "status", "status", 0 }, { "", "log", 3 },
		{ "log", "", 3 }, { "stauts", "status", 1 },
		{ "lgo", "log", 1 }, { "upgarde", "upgrade", 1 },
		{ "upgrad", "upgrade", 1 }, { "upgradee", "upgrade", 1 },
		{ "downgrade", "upgrade", 4 }, { "kitten", "sitting", 3 },
		{ "ca", "abc", 3 }, { "ab", "ba", 1 }, { "stat", "status", 2 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(suggest_distance(t[i].a, t[i].b), t[i].d);
		assert_int_equal(suggest_distance(t[i].b, t[i].a), t[i].d);
	}
}

static void
test_distance_long(void **state)
{
	char big[SUGGEST_MAX_LEN + 2];

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_true(suggest_distance(big, "a") > 1000);
	big[SUGGEST_MAX_LEN] = '\0';
	assert_int_equal(suggest_distance(big, big), 0);
}

static void
test_closest(void **state)
{
	static const char *const verbs[] = { "status", "current", "heads",
	    "history", "log", "upgrade", "downgrade", "stamp", "verify",
	    "check", "wait", "reload", "cancel", "resolve", "lint",
	    "revision", "merge", "help" };
	static const struct {
		const char *word, *want;
	} t[] = {
		{ "stauts", "status" }, { "statsu", "status" },
		{ "upgarde", "upgrade" }, { "donwgrade", "downgrade" },
		{ "histroy", "history" }, { "revison", "revision" },
		{ "head", "heads" }, { "curent", "current" },
		{ "lgo", "log" }, { "stat", "status" }, { "rel", "reload" },
		{ "canel", "cancel" }, { "wiat", "wait" },
		/* nothing close, or too short to guess */
		{ "frobnicate", NULL }, { "x", NULL }, { "ls", NULL },
		{ "", NULL }, { "re", NULL }, { "up", "upgrade" },
	};
	size_t i;
	const char *got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = suggest_closest(t[i].word, verbs,
		    sizeof verbs / sizeof verbs[0]);
		if (t[i].want == NULL && got != NULL)
			fail_msg("%s: got %s, want nothing", t[i].word, got);
		if (t[i].want != NULL && (got == NULL ||
		    strcmp(got, t[i].want) != 0))
			fail_msg("%s: got %s, want %s", t[i].word,
			    got != NULL ? got : "nothing", t[i].want);
	}
	assert_null(suggest_closest("status", verbs, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_distance_long),
		cmocka_unit_test(test_closest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
