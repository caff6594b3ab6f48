/* SPDX-License-Identifier: MIT */
/* test-daemon-leader.c: the lock, the sessions and the state cache. */
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

static bool
is_leader(const void *unused)
{
	(void)unused;
	return leader_is();
}

static bool
read_down(const void *unused)
{
	(void)unused;
	return !D->read_connected && D->read_error != NULL;
}

static bool
read_up(const void *unused)
{
	(void)unused;
	return D->read_connected && D->st.read;
}

/*
 * Another daemon holds the lock: a standby, which reads the database and
 * names the leader, changes nothing and refuses changes (not_leader);
 * once the lock is free it takes over at its next poll and auto-migrates.
 */
static void
test_standby_then_takeover(void **state)
{
	int a;

	(void)state;
	two_revisions();
	fakedb.other_holder = true;
	dt_start(NULL);
	assert_true(dt_until(dt_standby_known, NULL, 2000));
	assert_true(dt_until(dt_state_is, "behind", 2000));
	assert_string_equal(json_string_value(json_object_get(D->st.leader,
				"application_name")),
	    "migrated@0123456789abcdef other:99");
	a = dt_send("upgrade", NULL);
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_equal(dt_code(a), "not_leader");
	assert_int_equal(fakedb_count("CREATE TABLE t"), 0);
	fakedb.other_holder = false; /* its session ended */
	assert_true(dt_until(dt_state_is, "current", 2000));
	assert_true(leader_is());
	assert_string_equal(fakedb_rows_text(), "r2");
}

/*
 * The lock session breaks: at once no longer leader (nothing may run
 * unlocked), then, on a new session, leader again -- without running
 * anything twice.
 */
static void
test_lock_session_lost(void **state)
{
	(void)state;
	two_revisions();
	dt_start(NULL);
	assert_true(dt_until(dt_state_is, "current", 2000));
	fakedb_lose(D->lockdb, "server closed the connection unexpectedly");
	assert_false(leader_is());
	assert_null(fakedb.holder);
	assert_true(dt_until(is_leader, NULL, 2000));
	assert_true(dt_until(dt_leader, NULL, 2000));
	assert_int_equal(fakedb_count("CREATE TABLE t1"), 1);
	assert_int_equal(fakedb_count("CREATE TABLE t2"), 1);
	assert_int_equal(fakedb.history_rows, 2);
}

/*
 * The database is unreachable at start: the daemon runs, says so (read
 * error, state unknown, changes refused with db_unavailable), and once
 * the server accepts connections it reads, leads and migrates.
 */
static void
test_unreachable_then_up(void **state)
{
	int a;

	(void)state;
	two_revisions();
	fakedb.refuse_connect = true;
	dt_start(NULL);
	assert_true(dt_until(read_down, NULL, 2000));
	assert_false(leader_is());
	assert_false(D->st.read);
	a = dt_send("upgrade", NULL);
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_not_equal(dt_code(a), "ok");
	fakedb.refuse_connect = false;
	assert_true(dt_until(read_up, NULL, 2000));
	assert_true(dt_until(dt_state_is, "current", 2000));
	assert_string_equal(fakedb_rows_text(), "r2");
}

/*
 * Another runner changes the version rows and says so (NOTIFY): the
 * state cache reads them again at once, without waiting for its periodic
 * refresh, and a wait for that state is answered.
 */
static void
test_refresh_on_notify(void **state)
{
	static const char *const rows[] = { "r2" };
	int w;

	(void)state;
	two_revisions();
	dt_start(MANUAL "\nrefresh_interval = 1h");
	assert_true(dt_until(dt_leader, NULL, 2000));
	assert_true(dt_until(dt_state_is, "behind", 2000));
	w = dt_send("wait", "{\"target\": \"heads\", \"timeout_ms\": 10000}");
	dt_run(20);
	assert_null(dt_reply(w));
	fakedb_set_rows(rows, 1);
	fakedb_notify(D->readdb, "migrated",
	    "{\"type\": \"changed\", \"app\": \"alembic\"}");
	assert_true(dt_until(dt_state_is, "current", 1000));
	assert_true(dt_until(dt_replied, ID(w), 1000));
	assert_string_equal(dt_code(w), "ok");
	assert_int_equal(fakedb_count("CREATE TABLE t"), 0);
}

/* status --fresh reads the database again before it answers. */
static void
test_status_fresh(void **state)
{
	static const char *const rows[] = { "r1" };
	json_t *cur;
	int s;

	(void)state;
	two_revisions();
	dt_start(MANUAL "\nrefresh_interval = 1h");
	assert_true(dt_until(dt_state_is, "behind", 2000));
	fakedb_set_rows(rows, 1);
	s = dt_send("status", "{\"fresh\": true}");
	assert_true(dt_until(dt_replied, ID(s), 1000));
	cur = json_object_get(json_object_get(dt_reply(s), "result"),
	    "current");
	assert_int_equal(json_array_size(cur), 1);
	assert_string_equal(json_string_value(json_array_get(cur, 0)), "r1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_standby_then_takeover,
		    dt_teardown),
		cmocka_unit_test_teardown(test_lock_session_lost, dt_teardown),
		cmocka_unit_test_teardown(test_unreachable_then_up,
		    dt_teardown),
		cmocka_unit_test_teardown(test_refresh_on_notify, dt_teardown),
		cmocka_unit_test_teardown(test_status_fresh, dt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
