/* SPDX-License-Identifier: MIT */
/* test-daemon-state.c: the read session's judgements, on a fake database. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemontest.h"

#define ID(n) ((const void *)(intptr_t)(n))
#define MANUAL "auto_migrate = false"
#define NT_SQL "CREATE INDEX CONCURRENTLY i2 ON t1 (x)"
#define OTHER "0123456789abcdef" /* the fake's other lock holder */

/* r1 (transactional), then r2, a non-transactional step; r1 is applied. */
static void
nt_revisions(void)
{
	static const char *const rows[] = { "r1" };

	dt_rev("r1", "none", "CREATE TABLE t1 (x int);", "DROP TABLE t1;");
	dt_rev_hdr("r2", "r1", "-- transactional: false", NT_SQL ";",
	    "DROP INDEX CONCURRENTLY i2;");
	fakedb_set_rows(rows, 1);
}

static bool
held(const void *match)
{
	return fakedb_held(match);
}

static bool
dirty(const void *unused)
{
	(void)unused;
	return D->st.read && D->st.dirty && D->st.state == RG_DIRTY;
}

static const char *
dirty_revision(void)
{
	return json_string_value(
	    json_object_get(D->st.dirty_info, "revision"));
}

/* status --fresh; the state it answers with. */
static const char *
fresh_state(void)
{
	static char st[32];
	json_t *res;
	int s;

	s = dt_send("status", "{\"fresh\": true}");
	assert_true(dt_until(dt_replied, ID(s), 2000));
	assert_string_equal(dt_code(s), "ok");
	res = json_object_get(dt_reply(s), "result");
	snprintf(st, sizeof st, "%s",
	    json_string_value(json_object_get(res, "state")));
	return st;
}

/*
 * Our runner is in a non-transactional step: its running row carries our
 * instance id, so a refresh meanwhile takes it for the step in progress,
 * not for a dirty database; once the step ends, the row is ok.
 */
static void
test_own_step_in_progress(void **state)
{
	int a;

	(void)state;
	nt_revisions();
	dt_start(MANUAL "\nrefresh_interval = 1h");
	assert_true(dt_until(dt_leader, NULL, 2000));
	fakedb_hold(NT_SQL);
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(held, NT_SQL, 2000));
	assert_true(fakedb.nt.set);
	assert_string_equal(fakedb.nt.outcome, "running");
	assert_string_equal(fakedb.nt.instance, D->instance);
	assert_string_not_equal(fresh_state(), "dirty");
	assert_false(D->st.dirty);
	assert_true(json_is_null(D->st.dirty_info));
	fakedb_release(NT_SQL);
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_equal(dt_code(a), "ok");
	assert_string_equal(fakedb.nt.outcome, "ok");
	assert_string_equal(fresh_state(), "current");
}

/*
 * A running row of another instance, written from our host name and pid
 * (a container restarted in place: same host, pid 1): not ours, and its
 * instance does not hold the lock, so the database is dirty and
 * auto-migrate does not run the step again.
 */
static void
test_other_instance_same_host_pid(void **state)
{
	(void)state;
	nt_revisions();
	fakedb_set_nt("r2", "testhost", (long)getpid(), "fedcba9876543210");
	dt_start(NULL);
	assert_string_not_equal(D->instance, "fedcba9876543210");
	assert_true(dt_until(dirty, NULL, 2000));
	assert_true(leader_is());
	assert_string_equal(dirty_revision(), "r2");
	dt_run(50);
	assert_int_equal(fakedb_count(NT_SQL), 0);
	assert_string_equal(fakedb_rows_text(), "r1");
}

/*
 * A running row of the instance that holds the lock is its step in
 * progress (standby: behind, not dirty). When that daemon is gone and we
 * take over, the same row is a crashed step: dirty, not re-run.
 */
static void
test_leader_step_then_leader_gone(void **state)
{
	(void)state;
	nt_revisions();
	fakedb_set_nt("r2", "other", 99, OTHER);
	fakedb.other_holder = true;
	dt_start(NULL);
	assert_true(dt_until(dt_standby_known, NULL, 2000));
	assert_true(dt_until(dt_state_is, "behind", 2000));
	assert_false(D->st.dirty);
	fakedb.other_holder = false; /* its session ended */
	assert_true(dt_until(dirty, NULL, 2000));
	assert_true(dt_until(dt_leader, NULL, 2000));
	assert_string_equal(dirty_revision(), "r2");
	dt_run(50);
	assert_int_equal(fakedb_count(NT_SQL), 0);
}

/*
 * A row of a version before instance ids (instance NULL) written by a
 * host and pid that is no lock holder's: dirty.
 */
static void
test_old_row_no_holder(void **state)
{
	(void)state;
	nt_revisions();
	fakedb_set_nt("r2", "gone", 4242, NULL);
	dt_start(MANUAL);
	assert_true(dt_until(dirty, NULL, 2000));
	assert_string_equal(dirty_revision(), "r2");
}

/* ---- the version-row check (state_rows_then) ---------------------------- */

static size_t full_at_begin, rows_at_begin;

static void
counts_at_begin(void *unused)
{
	(void)unused;
	full_at_begin = fakedb_count("to_regclass($1) IS NOT NULL");
	rows_at_begin = fakedb_count("SELECT version_num FROM");
}

static void
two_revisions(void)
{
	dt_rev("r1", "none", "CREATE TABLE t1 (x int);", "DROP TABLE t1;");
	dt_rev("r2", "r1", "CREATE TABLE t2 (x int);", "DROP TABLE t2;");
}

/*
 * Memory is known fresh and the rows are those in memory: the upgrade is
 * planned after one read of the version rows, without a full refresh.
 */
static void
test_rows_check_same(void **state)
{
	size_t full, rows;
	int a;

	(void)state;
	two_revisions();
	dt_start(MANUAL "\nrefresh_interval = 1h");
	assert_true(dt_until(dt_leader, NULL, 2000));
	assert_true(dt_until(dt_state_is, "behind", 2000));
	full = fakedb_count("to_regclass($1) IS NOT NULL");
	rows = fakedb_count("SELECT version_num FROM");
	fakedb_before("=BEGIN", 1, counts_at_begin, NULL);
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_equal(dt_code(a), "ok");
	assert_int_equal(full_at_begin, full);
	assert_int_equal(rows_at_begin, rows + 1);
	assert_string_equal(fakedb_rows_text(), "r2");
}

/*
 * A foreign writer changed the rows (as many as before) and said nothing:
 * the check sees rows that differ from memory, reads everything again,
 * and plans from the new rows -- nothing to do, so no step and no guard
 * runs.
 */
static void
test_rows_check_changed(void **state)
{
	static const char *const r1[] = { "r1" }, *const rows[] = { "r2" };
	size_t full;
	int a;

	(void)state;
	two_revisions();
	fakedb_set_rows(r1, 1);
	dt_start(MANUAL "\nrefresh_interval = 1h");
	assert_true(dt_until(dt_leader, NULL, 2000));
	assert_true(dt_until(dt_state_is, "behind", 2000));
	full = fakedb_count("to_regclass($1) IS NOT NULL");
	fakedb_set_rows(rows, 1);
	a = dt_send("upgrade", "{\"target\": \"head\"}");
	assert_true(dt_until(dt_replied, ID(a), 2000));
	assert_string_equal(dt_code(a), "ok");
	assert_true(fakedb_count("to_regclass($1) IS NOT NULL") > full);
	assert_int_equal(fakedb_count("DO $migrated$BEGIN IF NOT EXISTS"), 0);
	assert_int_equal(fakedb_count("CREATE TABLE t"), 0);
	assert_true(dt_state_is("current"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_own_step_in_progress,
		    dt_teardown),
		cmocka_unit_test_teardown(test_other_instance_same_host_pid,
		    dt_teardown),
		cmocka_unit_test_teardown(test_leader_step_then_leader_gone,
		    dt_teardown),
		cmocka_unit_test_teardown(test_old_row_no_holder, dt_teardown),
		cmocka_unit_test_teardown(test_rows_check_same, dt_teardown),
		cmocka_unit_test_teardown(test_rows_check_changed,
		    dt_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
