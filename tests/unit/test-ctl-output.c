/* SPDX-License-Identifier: MIT */
/* test-ctl-output.c: migratectl's formatting and exit-code mapping. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ctl/output.h"

/* Parse a JSON text the test wrote, failing the test if it is invalid. */
static json_t *
J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);

	if (v == NULL)
		fail_msg("bad test JSON: %s: %s", e.text, text);
	return v;
}

/* Capture what fn writes to a FILE * as a string; caller frees. */
struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *
cap_open(struct capture *c)
{
	memset(c, 0, sizeof *c);
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

static char *
cap_close(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->buf;
}

static void
test_exit_codes(void **state)
{
	static const struct {
		const char *code;
		enum ctl_exit ex;
	} t[] = {
		{ "migration_failed", 1 }, { "irreversible", 1 },
		{ "drift_detected", 1 }, { "dirty", 1 }, { "cancelled", 1 },
		{ "internal", 1 }, { "bad_request", 2 }, { "unknown_op", 2 },
		{ "revision_not_found", 2 }, { "ambiguous_revision", 2 },
		{ "multiple_heads", 2 }, { "not_leader", 75 },
		{ "db_unavailable", 75 }, { "shutting_down", 75 },
		{ "busy", 75 }, { "timeout", 75 }, { "unauthorized", 77 },
		{ "lint_refused", 1 }, { "unreachable", 69 },
		{ "connection_lost", 75 }, { "no_such_code", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		assert_int_equal(output_exit_for_code(t[i].code), t[i].ex);
	assert_int_equal(output_exit_for_code(NULL), 1);
}

static void
test_state_exit(void **state)
{
	static const struct {
		const char *json;
		enum ctl_exit ex;
	} t[] = {
		{ "{\"connected\":true,\"state\":\"current\","
		    "\"drift\":[]}", 0 },
		{ "{\"connected\":true,\"state\":\"behind\"}", 3 },
		{ "{\"state\":\"ahead\"}", 4 },
		{ "{\"state\":\"diverged\"}", 4 },
		{ "{\"state\":\"dirty\"}", 4 },
		{ "{\"state\":\"current\","
		    "\"drift\":[{\"revision\":\"a\"}]}", 4 },
		{ "{\"state\":\"behind\","
		    "\"drift\":[{\"revision\":\"a\"}]}", 4 },
		{ "{\"state\":\"unknown\"}", 75 },
		{ "{\"connected\":false,\"state\":\"current\"}", 75 },
		{ "{}", 75 },
	};
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		v = J(t[i].json);
		assert_int_equal(output_state_exit(v), t[i].ex);
		json_decref(v);
	}
}

static void
test_wait_exit(void **state)
{
	static const struct {
		const char *json;
		enum ctl_exit ex;
	} t[] = {
		{ "{\"code\":\"timeout\",\"message\":\"m\"}", 75 },
		{ "{\"code\":\"dirty\",\"message\":\"m\"}", 4 },
		{ "{\"code\":\"drift_detected\",\"message\":\"m\"}", 4 },
		{ "{\"code\":\"revision_not_found\",\"state\":\"ahead\"}", 4 },
		{ "{\"code\":\"revision_not_found\"}", 2 },
		{ "{\"code\":\"db_unavailable\"}", 75 },
	};
	json_t *v;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		v = J(t[i].json);
		assert_int_equal(output_wait_exit(v), t[i].ex);
		json_decref(v);
	}
}

static void
test_slug(void **state)
{
	static const struct {
		const char *msg;
		size_t max;
		const char *slug;
	} t[] = {
		{ "add writing styles", 40, "add_writing_styles" },
		{ "Add: Users' table!!", 40, "add_users_table" },
		{ "  --leading and trailing--  ", 40, "leading_and_trailing" },
		{ "\xc3\xa9lan vital", 40, "lan_vital" },
		{ "", 40, "" },
		{ "!!!", 40, "" },
		{ "one two three", 8, "one_two" },
		{ "abcdefghijkl", 5, "abcde" },
		{ "add index CONCURRENTLY on documents(created_at) for the "
		    "archive listing", 40,
		    "add_index_concurrently_on_documents" },
	};
	char *s;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		s = output_slug(t[i].msg, t[i].max);
		assert_string_equal(s, t[i].slug);
		assert_true(strlen(s) <= t[i].max);
		free(s);
	}
}

static void
test_duration(void **state)
{
	char buf[32];

	output_duration(buf, sizeof buf, 12);
	assert_string_equal(buf, "12 ms");
	output_duration(buf, sizeof buf, 1234);
	assert_string_equal(buf, "1.2 s");
	output_duration(buf, sizeof buf, 125000);
	assert_string_equal(buf, "2 min 5 s");
	output_duration(buf, sizeof buf, -1);
	assert_string_equal(buf, "-");
	output_time(buf, sizeof buf, "2026-11-27T23:15:55.123Z");
	assert_string_equal(buf, "2026-11-27 23:15:55");
}

#define REV(id, down, extra) \
	"{\"revision\":\"" id "\",\"down_revision\":" down "," \
	"\"depends_on\":[],\"branch_labels\":[],\"message\":\"msg " id "\"" \
	extra "}"

static void
test_history_lines(void **state)
{
	static const struct {
		const char *json;
		const char *line;
	} t[] = {
		{ REV("a1", "[]", ""), "<base> -> a1, msg a1" },
		{ REV("b2", "[\"a1\"]", ",\"is_head\":true"),
		    "a1 -> b2 (head), msg b2" },
		{ REV("m3", "[\"b2\", \"c2\"]",
		    ",\"is_head\":true,\"is_mergepoint\":true"),
		    "b2, c2 -> m3 (head) (mergepoint), msg m3" },
		{ REV("a1", "[]", ",\"is_branchpoint\":true"),
		    "<base> -> a1 (branchpoint), msg a1" },
		{ REV("b2", "[\"a1\"]",
		    ",\"is_head\":true,\"is_current\":true"),
		    "a1 -> b2 (head) (current), msg b2" },
		{ "{\"revision\":\"d4\",\"down_revision\":[\"a1\"],"
		    "\"depends_on\":[\"x9\"],\"branch_labels\":[\"feat\"],"
		    "\"message\":\"m\",\"is_head\":true}",
		    "a1 (x9) -> d4 (feat) (head), m" },
	};
	json_t *v;
	char *s;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		v = J(t[i].json);
		s = output_history_line(v);
		assert_string_equal(s, t[i].line);
		free(s);
		json_decref(v);
	}
}

static void
test_history_verbose(void **state)
{
	json_t *res = J("{\"revisions\":["
	    "{\"revision\":\"b2\",\"down_revision\":[\"a1\"],"
	    "\"depends_on\":[],\"branch_labels\":[],\"message\":\"second\","
	    "\"create_date\":\"2025-10-02 09:30:00+00\","
	    "\"file\":\"v/b2_s.sql\","
	    "\"applied\":false,\"is_head\":true},"
	    "{\"revision\":\"a1\",\"down_revision\":[],\"depends_on\":[],"
	    "\"branch_labels\":[],\"message\":\"first\",\"create_date\":null,"
	    "\"file\":\"v/a1_f.sql\",\"applied\":true,\"is_current\":true}]}");
	struct capture c;
	char *out;

	output_history(cap_open(&c), res, true);
	out = cap_close(&c);
	assert_string_equal(out,
	    "Rev: b2 (head)\n"
	    "Parent: a1\n"
	    "Path: v/b2_s.sql\n"
	    "Applied: no\n"
	    "\n"
	    "    second\n"
	    "\n"
	    "    Revision ID: b2\n"
	    "    Revises: a1\n"
	    "    Create Date: 2025-10-02 09:30:00+00\n"
	    "\n"
	    "Rev: a1 (current)\n"
	    "Parent: <base>\n"
	    "Path: v/a1_f.sql\n"
	    "Applied: yes\n"
	    "\n"
	    "    first\n"
	    "\n"
	    "    Revision ID: a1\n"
	    "    Revises: \n"
	    "    Create Date: \n"
	    "\n");
	free(out);
	json_decref(res);
}

static void
test_history_branches(void **state)
{
	json_t *res = J("{\"revisions\":["
	    "{\"revision\":\"b\",\"down_revision\":[\"a\"],\"message\":\"x\","
	    "\"is_head\":true},"
	    "{\"revision\":\"c\",\"down_revision\":[\"a\"],\"message\":\"y\","
	    "\"is_head\":true},"
	    "{\"revision\":\"a\",\"down_revision\":[],\"message\":\"z\","
	    "\"is_branchpoint\":true,\"file\":\"f\"}]}");
	struct capture c;
	char *out;

	output_history(cap_open(&c), res, false);
	out = cap_close(&c);
	assert_string_equal(out, "a -> b (head), x\na -> c (head), y\n"
	    "<base> -> a (branchpoint), z\n");
	free(out);
	output_history_verbose(cap_open(&c), json_array_get(json_object_get(
	    res, "revisions"), 2), json_object_get(res, "revisions"));
	out = cap_close(&c);
	assert_non_null(strstr(out, "Rev: a (branchpoint)\nParent: <base>\n"
	    "Branches into: b, c\nPath: f\n\n"));
	free(out);
	json_decref(res);
}

static void
test_status_block(void **state)
{
	json_t *st = J("{\"connected\":true,\"error\":null,"
	    "\"database\":{\"host\":\"/tmp/sock\",\"port\":\"5432\","
	    "\"dbname\":\"app\",\"user\":\"app\"},\"role\":\"leader\","
	    "\"leader\":{\"pid\":4242,\"host\":\"h\","
	    "\"application_name\":\"migrated@host:1234\"},"
	    "\"current\":[\"2e0140e533a8\"],\"heads\":[\"212c31d97f11\"],"
	    "\"pending\":[{\"revision\":\"d382069dacef\","
	    "\"message\":\"add writing styles\"},"
	    "{\"revision\":\"212c31d97f11\",\"message\":\"seed data\"}],"
	    "\"state\":\"behind\",\"running\":null,\"drift\":[],"
	    "\"dirty\":null,\"auto_migrate\":false,\"as_of\":null}");
	struct capture c;
	char *out;

	output_status(cap_open(&c), st, false);
	out = cap_close(&c);
	assert_string_equal(out,
	    "database   app@/tmp/sock:5432   connected\n"
	    "role       leader (migrated@host:1234)\n"
	    "state      behind (2 pending, auto-migrate off)\n"
	    "current    2e0140e533a8\n"
	    "heads      212c31d97f11\n"
	    "pending    d382069dacef  add writing styles\n"
	    "           212c31d97f11  seed data\n"
	    "running    -\n"
	    "next       run: migratectl upgrade (2 pending revisions)\n");
	free(out);
	json_decref(st);
}

static void
test_status_troubles(void **state)
{
	json_t *st = J("{\"connected\":false,\"error\":\"connection refused\","
	    "\"database\":{\"host\":\"db\",\"port\":\"5433\",\"dbname\":\"x\"},"
	    "\"role\":\"standby\",\"leader\":null,\"current\":null,"
	    "\"heads\":[\"b\"],\"pending\":[],\"state\":\"dirty\","
	    "\"running\":{\"op\":\"upgrade\",\"revision\":\"b\","
	    "\"elapsed_ms\":1500},"
	    "\"drift\":[{\"revision\":\"a\",\"file\":\"v/a.sql\","
	    "\"recorded\":\"0123456789abcdef\","
	    "\"actual\":\"fedcba9876543210\"}],"
	    "\"dirty\":{\"revision\":\"b\",\"operation\":\"upgrade\","
	    "\"started_at\":\"2026-01-02T03:04:05.000Z\",\"error\":\"boom\"},"
	    "\"auto_migrate\":true}");
	struct capture c;
	char *out;

	output_status(cap_open(&c), st, false);
	out = cap_close(&c);
	assert_string_equal(out,
	    "database   x@db:5433   not connected: connection refused\n"
	    "role       standby (no leader)\n"
	    "state      dirty (auto-migrate on)\n"
	    "current    unknown\n"
	    "heads      b\n"
	    "pending    -\n"
	    "running    upgrade b (1.5 s)\n"
	    "drift      a  v/a.sql (recorded 0123456789ab, now fedcba987654)\n"
	    "dirty      b  upgrade did not finish (started 2026-01-02 "
	    "03:04:05)\n"
	    "           boom\n"
	    "next       check database_url and the server; the daemon "
	    "reconnects by itself\n");
	free(out);
	json_decref(st);
}

/* last_error: a "failed" block with the whole error, then what to do. */
static void
test_status_failed(void **state)
{
	json_t *st = J("{\"connected\":true,\"role\":\"leader\","
	    "\"database\":{\"host\":\"h\",\"port\":\"5432\","
	    "\"dbname\":\"app\"},\"current\":[\"a\"],\"heads\":[\"b\"],"
	    "\"pending\":[{\"revision\":\"b\",\"message\":\"m\"}],"
	    "\"state\":\"behind\",\"running\":null,\"drift\":[],"
	    "\"dirty\":null,\"auto_migrate\":true,\"last_error\":{"
	    "\"revision\":\"b\",\"operation\":\"upgrade\",\"file\":"
	    "\"v/b.sql\",\"line\":14,\"sqlstate\":\"42601\",\"message\":"
	    "\"syntax error\",\"error\":\"v/b.sql:14: syntax error\\n"
	    "SQLSTATE: 42601\",\"at\":\"2026-01-02T03:04:05.000Z\","
	    "\"requested_by\":\"auto\"}}");
	struct capture c;
	char *out;

	output_status(cap_open(&c), st, false);
	out = cap_close(&c);
	assert_string_equal(out,
	    "database   app@h:5432   connected\n"
	    "role       leader\n"
	    "state      behind (1 pending, auto-migrate on)\n"
	    "current    a\n"
	    "heads      b\n"
	    "pending    b  m\n"
	    "running    -\n"
	    "failed     b  upgrade at 2026-01-02 03:04:05 by auto\n"
	    "           v/b.sql:14: syntax error\n"
	    "           SQLSTATE: 42601\n"
	    "next       b failed at v/b.sql:14: fix it, then run: migratectl "
	    "upgrade\n");
	free(out);
	json_decref(st);
}

/* schema_drift (SPEC §8): unknown, none, or each object by name. */
static void
test_status_schema_drift(void **state)
{
	static const struct {
		const char *json, *want;
	} t[] = {
		{ "{\"connected\":true,\"state\":\"current\",\"drift\":[],"
		    "\"schema_drift\":null,\"schema_drift_note\":\"no "
		    "fingerprints recorded yet\"}",
		    "schema     unknown (no fingerprints recorded yet)\n"
		    "next       nothing to do: the database is at its heads\n" },
		{ "{\"connected\":true,\"state\":\"current\",\"drift\":[],"
		    "\"schema_drift\":[]}",
		    "schema     as recorded by the last plan\n"
		    "next       nothing to do: the database is at its heads\n" },
		{ "{\"connected\":true,\"state\":\"current\",\"drift\":[],"
		    "\"schema_drift\":[{\"object\":\"column app.users.nick\","
		    "\"change\":\"added\"},{\"object\":\"index app.i\","
		    "\"change\":\"removed\"}],\"schema_drift_note\":"
		    "\"and 3 more\"}",
		    "schema     drift: 2 objects changed outside migrations\n"
		    "           column app.users.nick added\n"
		    "           index app.i removed\n"
		    "           and 3 more\n"
		    "next       undo the schema change made outside migrations, "
		    "or put it in the desired schema\n"
		    "           and run: migratectl revision --autogenerate -m "
		    "MSG (migratectl verify --schema lists it)\n" },
	};
	struct capture c;
	char *out, *at;
	json_t *st;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		st = J(t[i].json);
		output_status(cap_open(&c), st, false);
		out = cap_close(&c);
		at = strstr(out, "schema ");
		assert_non_null(at);
		assert_string_equal(at, t[i].want);
		free(out);
		json_decref(st);
	}
}

/* The "next" lines of status for each state (issue 10 item 3). */
static void
test_status_next(void **state)
{
	static const struct {
		const char *json, *want;
	} t[] = {
		{ "{\"connected\":true,\"state\":\"current\",\"drift\":[]}",
		    "next       nothing to do: the database is at its heads\n" },
		{ "{\"connected\":true,\"state\":\"unknown\"}",
		    "next       the database was not read yet; run: migratectl "
		    "status --fresh\n" },
		{ "{\"connected\":true,\"state\":\"behind\",\"role\":"
		    "\"leader\",\"auto_migrate\":true,\"heads\":[\"b\"],"
		    "\"pending\":[{\"revision\":\"b\"}]}",
		    "next       auto-migrate applies 1 pending revision; or run: "
		    "migratectl upgrade\n" },
		{ "{\"connected\":true,\"state\":\"behind\",\"role\":"
		    "\"standby\",\"auto_migrate\":true,\"heads\":[\"b\","
		    "\"c\"],\"pending\":[{\"revision\":\"b\"},"
		    "{\"revision\":\"c\"}]}",
		    "next       run: migratectl upgrade heads (2 pending "
		    "revisions)\n" },
		{ "{\"connected\":true,\"state\":\"behind\",\"role\":"
		    "\"leader\",\"auto_migrate\":true,\"heads\":[\"c\"],"
		    "\"pending\":[{\"revision\":\"b\",\"empty\":true,"
		    "\"file\":\"v/b_x.sql\"},{\"revision\":\"c\"}]}",
		    "next       b has an empty upgrade section: write it in "
		    "v/b_x.sql (auto-migrate stops before it)\n" },
		{ "{\"connected\":true,\"state\":\"behind\",\"running\":"
		    "{\"revision\":\"b\"},\"pending\":[{\"revision\":\"b\"}]}",
		    "next       b is being applied; migratectl wait waits for "
		    "it\n" },
		{ "{\"connected\":true,\"state\":\"behind\",\"role\":"
		    "\"leader\",\"auto_migrate\":false,\"heads\":[\"b\"],"
		    "\"pending\":[{\"revision\":\"b\"}],\"last_error\":"
		    "{\"revision\":\"b\",\"file\":\"v/b.sql\",\"line\":7}}",
		    "next       b failed at v/b.sql:7: fix it, then run: "
		    "migratectl upgrade\n" },
		{ "{\"connected\":true,\"state\":\"dirty\",\"dirty\":"
		    "{\"revision\":\"b\"},\"last_error\":{\"revision\":"
		    "\"b\"}}",
		    "next       if b took effect, run: migratectl resolve b "
		    "--applied\n"
		    "           if it did not, run: migratectl resolve b "
		    "--rolled-back\n" },
		{ "{\"connected\":true,\"state\":\"ahead\",\"migrations_dir\":"
		    "\"/m\",\"unknown_rows\":[\"zz01\"]}",
		    "next       version zz01 has no file in /m: deploy the "
		    "migrations that include it\n" },
		{ "{\"connected\":true,\"state\":\"diverged\"}",
		    "next       the version rows overlap: check the schema, then "
		    "set them with: migratectl stamp TARGET\n" },
		{ "{\"connected\":true,\"state\":\"current\",\"drift\":"
		    "[{\"revision\":\"a\",\"file\":\"v/a.sql\"}],"
		    "\"lock_error\":\"permission denied for table x\"}",
		    "next       this daemon cannot lead: permission denied for "
		    "table x\n"
		    "           restore v/a.sql as it was when a ran, or move "
		    "the change into a new revision\n"
		    "           (migratectl verify lists drift; allow_drift = "
		    "true lets upgrades run anyway)\n" },
	};
	struct capture c;
	char *out;
	json_t *st;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		st = J(t[i].json);
		output_next(cap_open(&c), st);
		out = cap_close(&c);
		if (strcmp(out, t[i].want) != 0)
			fail_msg("case %zu:\n%s\nwant:\n%s", i, out, t[i].want);
		free(out);
		json_decref(st);
	}
}

static void
test_current_heads(void **state)
{
	json_t *st = J("{\"current\":[\"a\",\"c\"],\"heads\":[\"b\",\"c\"]}");
	json_t *base = J("{\"current\":[],\"heads\":[\"b\"]}");
	struct capture c;
	char *out;

	output_current(cap_open(&c), st);
	out = cap_close(&c);
	assert_string_equal(out, "a\nc (head)\n");
	free(out);
	output_heads(cap_open(&c), st);
	out = cap_close(&c);
	assert_string_equal(out, "b (head)\nc (head) (current)\n");
	free(out);
	output_current(cap_open(&c), base);
	out = cap_close(&c);
	assert_string_equal(out, "");
	free(out);
	json_decref(st);
	json_decref(base);
}

static void
test_errors(void **state)
{
	json_t *mf = J("{\"code\":\"migration_failed\",\"message\":"
	    "\"relation \\\"nope\\\" does not exist\",\"file\":\"v/b.sql\","
	    "\"line\":12,\"sqlstate\":\"42P01\",\"hint\":\"create it\"}");
	json_t *cancel = J("{\"code\":\"cancelled\",\"message\":"
	    "\"canceling statement due to user request\",\"file\":\"v/c.sql\","
	    "\"line\":3,\"sqlstate\":\"57014\"}");
	json_t *plain = J("{\"code\":\"not_leader\",\"message\":"
	    "\"this daemon is a standby\"}");
	json_t *heads = J("{\"code\":\"multiple_heads\",\"message\":"
	    "\"several heads: 1234abcd\",\"heads\":[\"1234abcd\","
	    "\"5678ef01\"]}");
	struct capture c;
	char *out;

	output_error(cap_open(&c), mf);
	out = cap_close(&c);
	assert_string_equal(out, "migratectl: migration failed: v/b.sql:12: "
	    "relation \"nope\" does not exist (SQLSTATE 42P01)\n"
	    "HINT:  create it\n");
	free(out);
	output_error(cap_open(&c), cancel);
	out = cap_close(&c);
	assert_string_equal(out, "migratectl: cancelled: v/c.sql:3: "
	    "canceling statement due to user request (SQLSTATE 57014)\n");
	free(out);
	output_error(cap_open(&c), plain);
	out = cap_close(&c);
	assert_string_equal(out, "migratectl: this daemon is a standby "
	    "(not_leader)\n");
	free(out);
	output_error(cap_open(&c), heads);
	out = cap_close(&c);
	assert_string_equal(out, "migratectl: several heads: 1234abcd "
	    "(multiple_heads)\nheads: 1234abcd, 5678ef01\n");
	free(out);
	json_decref(mf);
	json_decref(cancel);
	json_decref(plain);
	json_decref(heads);
}

static void
test_summary_steps(void **state)
{
	json_t *r = J("{\"from\":[\"2e0140e533a8\"],\"to\":[\"212c31d97f11\"],"
	    "\"steps\":[{\"revision\":\"a\",\"duration_ms\":20},"
	    "{\"revision\":\"b\",\"duration_ms\":15},"
	    "{\"revision\":\"c\",\"duration_ms\":10}]}");
	json_t *none = J("{\"from\":[\"x\"],\"to\":[\"x\"],\"steps\":[]}");
	json_t *down = J("{\"from\":[\"x\"],\"to\":[],"
	    "\"steps\":[{\"revision\":\"x\",\"duration_ms\":3}]}");
	struct capture c;
	char *s;

	s = output_summary("upgraded", r, "head");
	assert_string_equal(s, "upgraded 2e0140e533a8 -> 212c31d97f11 in 3 "
	    "steps, 45 ms");
	free(s);
	s = output_summary("upgraded", none, "head");
	assert_string_equal(s, "already at head");
	free(s);
	s = output_summary("downgraded", down, "base");
	assert_string_equal(s, "downgraded x -> base in 1 step, 3 ms");
	free(s);
	output_step(cap_open(&c), OUTPUT_MARK_OK, "d382069dacef", 12,
	    "add writing styles", 20, 12, false);
	s = cap_close(&c);
	assert_string_equal(s, "  ok     d382069dacef  add writing styles    "
	    "(12 ms)");
	free(s);
	output_step(cap_open(&c), OUTPUT_MARK_FAILED, "b", 3, "m", 1, 1500,
	    false);
	s = cap_close(&c);
	assert_string_equal(s, "  FAILED b    m  (1.5 s)");
	free(s);
	json_decref(r);
	json_decref(none);
	json_decref(down);
}

static void
test_log_table(void **state)
{
	json_t *r = J("{\"rows\":[{\"id\":2,\"revision\":\"212c31d97f11\","
	    "\"operation\":\"upgrade\",\"started_at\":\"2026-01-02T03:04:05Z\","
	    "\"duration_ms\":45,\"outcome\":\"failed\","
	    "\"error\":\"boom\\nmore\",\"requested_by\":\"root\"},"
	    "{\"id\":1,\"revision\":\"2e0140e533a8\","
	    "\"operation\":\"stamp\",\"started_at\":\"2026-01-01T00:00:00Z\","
	    "\"duration_ms\":null,\"outcome\":\"ok\",\"error\":null,"
	    "\"requested_by\":\"auto\"}]}");
	struct capture c;
	char *out;

	/* not a terminal: nothing cut, further lines indented */
	output_log(cap_open(&c), r, 0);
	out = cap_close(&c);
	assert_string_equal(out,
	    "TIME                 OP       REVISION      OUTCOME  DURATION  "
	    "USER  ERROR\n"
	    "2026-01-02 03:04:05  upgrade  212c31d97f11  failed   45 ms     "
	    "root  boom\n"
	    "    more\n"
	    "2026-01-01 00:00:00  stamp    2e0140e533a8  ok       -         "
	    "auto\n");
	free(out);
	/* a terminal: one line per row, "..." where something is left out */
	output_log(cap_open(&c), r, 80);
	out = cap_close(&c);
	assert_string_equal(out,
	    "TIME                 OP       REVISION      OUTCOME  DURATION  "
	    "USER  ERROR\n"
	    "2026-01-02 03:04:05  upgrade  212c31d97f11  failed   45 ms     "
	    "root  boom...\n"
	    "2026-01-01 00:00:00  stamp    2e0140e533a8  ok       -         "
	    "auto\n");
	free(out);
	json_decref(r);
}

static void
test_log_long_error(void **state)
{
	char err[300], *text, *out;
	struct capture c;
	json_t *r;

	memset(err, 'x', sizeof err - 1);
	err[sizeof err - 1] = '\0';
	memcpy(err + 200, "END", 3);
	r = json_pack("{s:[{s:s, s:s, s:s}]}", "rows", "revision", "aaaa",
	    "outcome", "failed", "error", err);
	output_log(cap_open(&c), r, 0);
	out = cap_close(&c);
	assert_non_null(strstr(out, "END"));
	assert_non_null(strstr(out, err));
	free(out);
	output_log(cap_open(&c), r, 100);
	out = cap_close(&c);
	text = strchr(out, '\n') + 1;
	assert_int_equal(strcspn(text, "\n"), 100);
	assert_null(strstr(out, "END"));
	assert_non_null(strstr(out, "xxx...\n"));
	free(out);
	/* a terminal too narrow for any of the error */
	output_log(cap_open(&c), r, 20);
	out = cap_close(&c);
	assert_non_null(strstr(out, "failed   -         -     ...\n"));
	free(out);
	json_decref(r);
}

static void
test_log_verbose(void **state)
{
	json_t *r = J("{\"rows\":[{\"id\":2,\"revision\":\"212c31d97f11\","
	    "\"operation\":\"upgrade\",\"outcome\":\"failed\","
	    "\"zeta\":true,\"error\":\"boom\\nDETAIL: more\","
	    "\"pid\":42,\"host\":null,\"alpha\":\"a\"},"
	    "{\"id\":1,\"revision\":\"2e0140e533a8\"}]}");
	struct capture c;
	char *out;

	output_log_verbose(cap_open(&c), r);
	out = cap_close(&c);
	assert_string_equal(out,
	    "  id            2\n"
	    "  revision      212c31d97f11\n"
	    "  operation     upgrade\n"
	    "  outcome       failed\n"
	    "  host          -\n"
	    "  pid           42\n"
	    "  error         boom\n"
	    "                DETAIL: more\n"
	    "  alpha         a\n"
	    "  zeta          true\n"
	    "\n"
	    "  id            1\n"
	    "  revision      2e0140e533a8\n");
	free(out);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_state_exit),
		cmocka_unit_test(test_wait_exit),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_history_lines),
		cmocka_unit_test(test_history_verbose),
		cmocka_unit_test(test_history_branches),
		cmocka_unit_test(test_status_block),
		cmocka_unit_test(test_status_troubles),
		cmocka_unit_test(test_status_next),
		cmocka_unit_test(test_status_schema_drift),
		cmocka_unit_test(test_status_failed),
		cmocka_unit_test(test_current_heads),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_summary_steps),
		cmocka_unit_test(test_log_table),
		cmocka_unit_test(test_log_long_error),
		cmocka_unit_test(test_log_verbose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
