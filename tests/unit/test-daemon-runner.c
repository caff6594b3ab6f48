/* SPDX-License-Identifier: MIT */
/* test-daemon-runner.c: plans, re-plans and retries, on a fake database. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemontest.h"
#include "proto.h"
#include "runner-sql.h"

#define ID(n) ((const void *)(intptr_t)(n))
#define MANUAL "auto_migrate = false"

static void
three_revisions(void)
{
	dt_rev("r1", "none", "CREATE TABLE t1 (x int);", "DROP TABLE t1;");
	dt_rev("r2", "r1", "CREATE TABLE t2 (x int);", "DROP TABLE t2;");
	dt_rev("r3", "r2", "CREATE TABLE t3 (x int);", "DROP TABLE t3;");
}

/* A foreign writer's rows, set between two of the daemon's transactions. */
static void
foreign_rows(void *rows)
{
	const char *const *v = rows;
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	fakedb_set_rows(v, n);
}

/* Start manual, lead, then run an upgrade to head with a foreign writer
 * acting before the daemon's second transaction; returns the request. */
static int
upgrade_with_foreign_writer(const char *const *rows)
{
	three_revisions();
	dt_start(MANUAL);
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_before("=BEGIN", 2, foreign_rows, (void *)rows);
	return dt_send("upgrade", "{\"target\": \"head\"}");
}

/*
 * The version rows change under the plan (another runner applied r2):
 * the guard of the next step sees it, the plan is made again from the new
 * rows, and only r3 runs.
 */
static void
test_replan(void **state)
{
	static const char *const rows[] = { "r2", NULL };
	int a;

	(void)state;
	a = upgrade_with_foreign_writer(rows);
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_equal(dt_code(a), "ok");
	assert_string_equal(fakedb_rows_text(), "r3");
	assert_int_equal(fakedb_count("CREATE TABLE t1"), 1);
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 0);
	assert_int_equal(fakedb_count("CREATE TABLE t3"), 1);
}

/*
 * Issue 9, defect 4: a foreign writer adds a row the daemon has no file
 * for. The re-plan runs the plan's guard again: the database is ahead, the
 * upgrade stops, and no version change ever deletes that row.
 */
static void
test_replan_ahead(void **state)
{
	static const char *const rows[] = { "r1", "zz_nofile", NULL };
	int a;

	(void)state;
	a = upgrade_with_foreign_writer(rows);
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_not_equal(dt_code(a), "ok");
	assert_string_equal(fakedb_rows_text(), "r1,zz_nofile");
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 0);
	assert_true(dt_until(dt_state_is, "ahead", 2000));
}

/*
 * The lock is no longer held by the session (its guard says MGLCK): the
 * daemon is no longer leader, the plan fails, and nothing more runs
 * before the lock is taken again.
 */
static void
drop_lock(void *unused)
{
	(void)unused;
	fakedb.holder = NULL;
	fakedb.other_holder = true;
}

static void
test_lock_not_held(void **state)
{
	int a;

	(void)state;
	three_revisions();
	dt_start(MANUAL);
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_before("=BEGIN", 2, drop_lock, NULL);
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_not_equal(dt_code(a), "ok");
	assert_false(leader_is());
	assert_string_equal(fakedb_rows_text(), "r1");
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 0);
	dt_run(50);
	assert_false(leader_is());
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 0);
}

/*
 * A revision that fails on lock_timeout (55P03) is retried, and applied
 * once; one more failure than lock_retries allows fails the step.
 */
static void
test_lock_timeout_retry(void **state)
{
	int a;

	(void)state;
	three_revisions();
	dt_start(MANUAL "\nlock_retries = 2");
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_fail("CREATE TABLE t2", "55P03",
	    "canceling statement due to lock timeout", 2);
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(a), 5000));
	assert_string_equal(dt_code(a), "ok");
	assert_string_equal(fakedb_rows_text(), "r3");
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 3);
	assert_int_equal(fakedb.history_rows, 3);
}

static void
test_lock_timeout_gives_up(void **state)
{
	int a;

	(void)state;
	three_revisions();
	dt_start(MANUAL "\nlock_retries = 1");
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_fail("CREATE TABLE t2", "55P03",
	    "canceling statement due to lock timeout", 2);
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(a), 5000));
	assert_string_equal(dt_code(a), "migration_failed");
	assert_string_equal(fakedb_rows_text(), "r1");
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 2);
	assert_int_equal(fakedb_count("CREATE TABLE t3"), 0);
}

/*
 * The events of an upgrade reach the client whole and in order, though a
 * step's step_finished and the next step_started go out in one send();
 * the reply lists the steps done.
 */
static void
test_events_in_order(void **state)
{
	json_t *steps;
	int a;

	(void)state;
	three_revisions();
	dt_start(MANUAL);
	assert_true(dt_until(dt_leader, NULL, 2000));
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(a), 5000));
	assert_string_equal(dt_code(a), "ok");
	assert_string_equal(dt_client_lines(),
	    "planned step_started:r1 "
	    "step_finished:r1 step_started:r2 step_finished:r2 "
	    "step_started:r3 step_finished:r3 reply:1 ");
	steps = json_object_get(json_object_get(dt_reply(a), "result"),
	    "steps");
	assert_int_equal(json_array_size(steps), 3);
	assert_string_equal(json_string_value(
				json_object_get(json_array_get(steps, 2),
				    "revision")),
	    "r3");
	assert_string_equal(json_string_value(
				json_object_get(json_array_get(steps, 0),
				    "operation")),
	    "upgrade");
}

/* The reply written as text: jansson's bytes, or NULL where it must. */
static void
test_result_text(void **state)
{
	char r1[] = "r1", r2[] = "r2", r3[] = "r\xc3\xa9";
	struct migfile a = { .revision = r1 }, b = { .revision = r2 },
		       bad = { .revision = r3 };
	struct runner_done done[] = { { &a, 12 }, { &b, 0 }, { &bad, 1 } };
	json_t *id = json_integer(7), *from = json_pack("[]"), *to;
	char *text, *want;
	size_t n;

	(void)state;
	for (n = 0; n <= 2; n++) {
		to = json_pack("[s, s]", "r2", "x y");
		text = runner_result_line(id, from, to, done, n, "upgrade");
		want = proto_encode_ok_steal(id,
		    runner_result_json(from, to, done, n, "upgrade"));
		assert_non_null(text);
		assert_string_equal(text, want);
		free(text);
		free(want);
	}
	to = json_pack("[]");
	assert_null(runner_result_line(id, from, to, done, 3, "downgrade"));
	json_decref(to);
	json_decref(from);
	json_decref(id);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_text),
		cmocka_unit_test_teardown(test_events_in_order, dt_teardown),
		cmocka_unit_test_teardown(test_replan, dt_teardown),
		cmocka_unit_test_teardown(test_replan_ahead, dt_teardown),
		cmocka_unit_test_teardown(test_lock_not_held, dt_teardown),
		cmocka_unit_test_teardown(test_lock_timeout_retry,
		    dt_teardown),
		cmocka_unit_test_teardown(test_lock_timeout_gives_up,
		    dt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
