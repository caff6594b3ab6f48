/* SPDX-License-Identifier: MIT */
/* test-lint-target.c: lint_cic_target(), for daemon/runner-cic.c. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lint.h"

/* sql is a named CREATE INDEX CONCURRENTLY of schema (or NULL).table. */
static void
want(const char *sql, const char *schema, const char *table,
    const char *index, bool ine)
{
	struct lint_cic c;

	if (lint_cic_target(sql, &c) != 1)
		fail_msg("not a CREATE INDEX CONCURRENTLY: %s", sql);
	if (schema == NULL)
		assert_null(c.schema);
	else
		assert_string_equal(c.schema, schema);
	assert_string_equal(c.table, table);
	assert_string_equal(c.index, index);
	assert_int_equal(c.if_not_exists, ine);
	lint_cic_clear(&c);
	assert_null(c.index);
}

static void
none(const char *sql)
{
	struct lint_cic c;

	if (lint_cic_target(sql, &c) != 0)
		fail_msg("taken for a named CREATE INDEX CONCURRENTLY: %s",
		    sql);
	assert_null(c.schema);
	assert_null(c.table);
	assert_null(c.index);
	lint_cic_clear(&c);
}

static void
test_cic_named(void **state)
{
	(void)state;
	want("CREATE INDEX CONCURRENTLY i ON t (x)", NULL, "t", "i", false);
	want("create unique index concurrently if not exists I_X\n"
	    "  on App.T using btree (lower(x)) where x > 0;", "app", "t",
	    "i_x", true);
	want("-- a comment\nCREATE INDEX /* c */ CONCURRENTLY "
	    "\"Odd \"\"n\"\"\" ON \"S.s\".\"T\" (x)", "S.s", "T",
	    "Odd \"n\"", false);
	want("CREATE INDEX CONCURRENTLY i ON ONLY t (x)", NULL, "t", "i",
	    false);
}

static void
test_cic_not(void **state)
{
	(void)state;
	none("CREATE INDEX CONCURRENTLY ON t (x)");	/* unnamed */
	none("CREATE INDEX i ON t (x)");		/* not concurrent */
	none("REINDEX INDEX CONCURRENTLY i");
	none("DROP INDEX CONCURRENTLY i");
	none("SELECT 'CREATE INDEX CONCURRENTLY i ON t (x)'");
	none("CREATE INDEX CONCURRENTLY i ON t (x); SELECT 1");
	none("CREATE INDEX CONCURRENTLY i ON");	/* syntax error */
	none("");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cic_named),
		cmocka_unit_test(test_cic_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
