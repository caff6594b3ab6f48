/* SPDX-License-Identifier: MIT */
/* test-daemon-queue.c: the change queue, on a fake database. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemontest.h"

#define ID(n) ((const void *)(intptr_t)(n))
#define MANUAL "auto_migrate = false"

static void
two_revisions(void)
{
	dt_rev("r1", "none", "CREATE TABLE t1 (x int);", "DROP TABLE t1;");
	dt_rev("r2", "r1", "CREATE TABLE t2 (x int);", "DROP TABLE t2;");
}

/* Auto-migrate on start: both revisions once, in order, then current. */
static void
test_auto_migrate(void **state)
{
	(void)state;
	two_revisions();
	dt_start(NULL);
	assert_true(dt_until(dt_state_is, "current", 2000));
	assert_true(leader_is());
	assert_string_equal(fakedb_rows_text(), "r2");
	assert_int_equal(fakedb_count("CREATE TABLE t1"), 1);
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 1);
	assert_int_equal(fakedb.history_rows, 2);
}

/* A second change waits in the queue while the first runs, then runs. */
static void
test_one_at_a_time(void **state)
{
	int a, b, st;

	(void)state;
	two_revisions();
	dt_start(MANUAL);
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_hold("CREATE TABLE t1");
	a = dt_send("upgrade", "{\"target\": \"r1\"}");
	b = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until((bool (*)(const void *))fakedb_held,
	    "CREATE TABLE t1", 2000));
	dt_run(20);
	assert_null(dt_reply(a));
	assert_null(dt_reply(b));
	assert_int_equal(D->queue_len, 1);
	/* reads never wait for the queue */
	st = dt_send("status", NULL);
	assert_true(dt_until(dt_replied, ID(st), 1000));
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 0);
	fakedb_release("CREATE TABLE t1");
	assert_true(dt_until(dt_replied, ID(b), 2000));
	assert_string_equal(dt_code(a), "ok");
	assert_string_equal(dt_code(b), "ok");
	assert_string_equal(fakedb_rows_text(), "r2");
	assert_int_equal(fakedb_count("CREATE TABLE t1"), 1);
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 1);
}

/*
 * Issue 9, defect 7: an upgrade queued behind a stamp that fails runs as
 * soon as the stamp has rolled back, with no other request to kick it.
 */
static void
test_queued_behind_failed_stamp(void **state)
{
	int a, b;

	(void)state;
	two_revisions();
	dt_start(MANUAL);
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_hold("unnest($1::text[])");
	fakedb_fail("INSERT INTO \"public\".\"migrated_history\"", "23514",
	    "new row violates check constraint", 1);
	a = dt_send("stamp", "{\"target\": \"r1\"}");
	b = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until((bool (*)(const void *))fakedb_held,
	    "unnest($1::text[])", 2000));
	dt_run(20);
	assert_null(dt_reply(b));
	fakedb_release("unnest($1::text[])");
	assert_true(dt_until(dt_replied, ID(b), 2000));
	assert_string_not_equal(dt_code(a), "ok");
	assert_string_equal(dt_code(b), "ok");
	assert_string_equal(fakedb_rows_text(), "r2");
	assert_int_equal(fakedb_count("CREATE TABLE t1"), 1);
}

static bool
relocked(const void *unused)
{
	(void)unused;
	return leader_is() && db_is_idle(D->lockdb);
}

/*
 * Losing the lock session fails the running plan and the queued changes
 * (not_leader), but not a read that waits (a wait): it is answered once
 * the database reaches its target after the lock is back.
 */
static void
test_lost_leadership(void **state)
{
	int a, b, w, c;

	(void)state;
	two_revisions();
	dt_start(MANUAL);
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_hold("CREATE TABLE t1");
	a = dt_send("upgrade", "{\"target\": \"r1\"}");
	b = dt_send("upgrade", "{\"target\": \"head\"}");
	w = dt_send("wait", "{\"target\": \"heads\", \"timeout_ms\": 10000}");
	assert_true(dt_until((bool (*)(const void *))fakedb_held,
	    "CREATE TABLE t1", 2000));
	fakedb_lose(D->lockdb,
	    "terminating connection due to administrator "
	    "command");
	assert_false(leader_is());
	assert_true(dt_until(dt_replied, ID(b), 2000));
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_not_equal(dt_code(a), "ok");
	assert_string_equal(dt_code(b), "not_leader");
	assert_null(dt_reply(w));
	assert_string_equal(fakedb_rows_text(), ""); /* rolled back */
	/* the lock comes back on a new session; the change is asked again */
	assert_true(dt_until(relocked, NULL, 2000));
	c = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(c), 2000));
	assert_string_equal(dt_code(c), "ok");
	assert_true(dt_until(dt_replied, ID(w), 2000));
	assert_string_equal(dt_code(w), "ok");
	assert_string_equal(fakedb_rows_text(), "r2");
	/* the held statement died with its session: t1 ran once */
	assert_int_equal(fakedb_count("CREATE TABLE t1"), 1);
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_auto_migrate, dt_teardown),
		cmocka_unit_test_teardown(test_one_at_a_time, dt_teardown),
		cmocka_unit_test_teardown(test_queued_behind_failed_stamp,
		    dt_teardown),
		cmocka_unit_test_teardown(test_lost_leadership, dt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
