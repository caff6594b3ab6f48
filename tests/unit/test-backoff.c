/* SPDX-License-Identifier: MIT */
/* test-backoff.c: capped exponential backoff. */
#include "config.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "backoff.h"

static void
test_doubles_then_caps(void **state)
{
	static const int want[] = { 200, 400, 800, 1600, 3200, 5000, 5000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(backoff_ms((int)i + 1, 200, 5000), want[i]);
}

/* lock_retries may be large: every attempt count stays at the cap. */
static void
test_large_attempts(void **state)
{
	int a;

	(void)state;
	for (a = 6; a < 100; a++)
		assert_int_equal(backoff_ms(a, 200, 5000), 5000);
	assert_int_equal(backoff_ms(INT_MAX, 200, 5000), 5000);
	assert_int_equal(backoff_ms(31, 1, INT_MAX), 1 << 30);
	assert_int_equal(backoff_ms(32, 1, INT_MAX), INT_MAX);
	assert_int_equal(backoff_ms(64, 3, INT_MAX), INT_MAX);
}

static void
test_edges(void **state)
{
	(void)state;
	assert_int_equal(backoff_ms(0, 200, 5000), 200);
	assert_int_equal(backoff_ms(1, 200, 5000), 200);
	assert_int_equal(backoff_ms(3, 7000, 5000), 5000);
	assert_int_equal(backoff_ms(3, 0, 5000), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doubles_then_caps),
		cmocka_unit_test(test_large_attempts),
		cmocka_unit_test(test_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
