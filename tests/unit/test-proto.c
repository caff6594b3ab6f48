/* SPDX-License-Identifier: MIT */
/* test-proto.c: unit tests for the NDJSON protocol codec. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* Every case of tests/data/proto/requests.txt decodes as expected. */
static void
test_decode_table(void **state)
{
	char path[1024], line[4096], *tab, *req;
	struct proto_req pr;
	struct merr err = { 0 };
	char *id;
	FILE *f;
	int n = 0, r;

	snprintf(path, sizeof path, "%s/proto/requests.txt", TEST_DATA_DIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		req = tab + 1;
		r = proto_decode(req, strlen(req), &pr, &err);
		if (strncmp(line, "ok:", 3) == 0) {
			if (r != 0)
				fail_msg("%s: %s", req, err.message);
			assert_string_equal(pr.op, line + 3);
			assert_true(json_is_object(pr.args));
		} else {
			assert_true(r < 0);
			assert_int_equal(err.code, MERR_BAD_REQUEST);
			id = json_dumps(pr.id, JSON_ENCODE_ANY | JSON_COMPACT);
			assert_string_equal(id, line + 4);
			free(id);
			/* the reply keeps its message, whatever the input */
			id = proto_encode_error(pr.id, &err);
			assert_non_null(strstr(id, "\"message\":\""));
			free(id);
		}
		proto_req_clear(&pr);
		merr_clear(&err);
		n++;
	}
	fclose(f);
	assert_true(n >= 10);
}

static void
test_decode_limits(void **state)
{
	struct proto_req pr;
	struct merr err = { 0 };
	size_t n = PROTO_MAX_LINE + 10, i;
	char *big;

	big = malloc(n + 1);
	memset(big, ' ', n);
	big[n] = '\0';
	assert_true(proto_decode(big, n, &pr, &err) < 0);
	assert_int_equal(err.code, MERR_BAD_REQUEST);
	assert_non_null(strstr(err.message, "longer"));
	proto_req_clear(&pr);
	merr_clear(&err);
	/* deep nesting is refused before the parser recurses */
	for (i = 0; i < 1000; i++)
		big[i] = '[';
	big[1000] = '\0';
	assert_true(proto_decode(big, 1000, &pr, &err) < 0);
	assert_non_null(strstr(err.message, "nested"));
	proto_req_clear(&pr);
	merr_clear(&err);
	/* invalid UTF-8 */
	assert_true(proto_decode("{\"op\":\"\xff\"}", 11, &pr, &err) < 0);
	assert_int_equal(err.code, MERR_BAD_REQUEST);
	proto_req_clear(&pr);
	merr_clear(&err);
	free(big);
}

static void
test_args(void **state)
{
	static const char *const allowed[] = { "target", "sql", NULL };
	json_t *args = json_pack("{s:s, s:b, s:i}", "target", "head", "sql", 1,
	    "n", 5);
	struct merr err = { 0 };
	const char *s = NULL;
	bool b = false;
	long long n = 0;

	assert_int_equal(proto_arg_string(args, "target", true, &s, &err), 0);
	assert_string_equal(s, "head");
	assert_int_equal(proto_arg_bool(args, "sql", &b, &err), 0);
	assert_true(b);
	assert_int_equal(proto_arg_int(args, "n", 1, 10, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_true(proto_arg_int(args, "n", 6, 10, &n, &err) < 0);
	merr_clear(&err);
	assert_true(proto_arg_string(args, "sql", false, &s, &err) < 0);
	assert_string_equal(merr_code_name(err.code), "bad_request");
	merr_clear(&err);
	assert_true(proto_arg_string(args, "missing", true, &s, &err) < 0);
	merr_clear(&err);
	assert_true(proto_args_only(args, allowed, &err) < 0);
	assert_non_null(strstr(err.message, "\"n\""));
	merr_clear(&err);
	json_decref(args);
}

static void
test_encode_roundtrip(void **state)
{
	struct proto_reply rep;
	struct merr err = { 0 };
	json_t *id = json_integer(42);
	char *line;

	line = proto_encode_ok_steal(id, json_pack("{s:s}", "state",
	    "current"));
	assert_non_null(strchr(line, '\n'));
	assert_int_equal(proto_parse_reply(line, strlen(line), &rep), 0);
	assert_int_equal(rep.kind, PROTO_REPLY_OK);
	assert_string_equal(json_string_value(json_object_get(rep.result,
	    "state")), "current");
	proto_reply_clear(&rep);
	free(line);

	merr_set(&err, MERR_MIGRATION_FAILED, "relation \"x\" does not exist");
	err.file = strdup("v/abcd_x.sql");
	err.line = 12;
	err.sqlstate = strdup("42P01");
	line = proto_encode_error(id, &err);
	assert_int_equal(proto_parse_reply(line, strlen(line), &rep), 0);
	assert_int_equal(rep.kind, PROTO_REPLY_ERROR);
	assert_string_equal(rep.code, "migration_failed");
	assert_int_equal(json_integer_value(json_object_get(rep.error,
	    "line")), 12);
	assert_string_equal(json_string_value(json_object_get(rep.error,
	    "sqlstate")), "42P01");
	assert_int_equal(json_integer_value(json_object_get(rep.body, "id")),
	    42);
	proto_reply_clear(&rep);
	free(line);
	merr_clear(&err);

	line = proto_encode_event_steal(id, "step_started", json_pack("{s:s}",
	    "revision", "abcd"));
	assert_int_equal(proto_parse_reply(line, strlen(line), &rep), 0);
	assert_int_equal(rep.kind, PROTO_REPLY_EVENT);
	assert_string_equal(rep.event, "step_started");
	proto_reply_clear(&rep);
	free(line);
	/* non-ASCII is escaped, so a reply is always one line */
	line = proto_encode_ok_steal(NULL, json_pack("{s:s}", "m",
	    "caf\xc3\xa9\nx"));
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	if (strcasestr(line, "\\u00e9") == NULL)
		fail_msg("not escaped: %s", line);
	free(line);
	assert_true(proto_parse_reply("junk", 4, &rep) < 0);
	json_decref(id);
}

/* proto_ev_line(): the bytes jansson writes for the same event. */
static void
ev_same(const char *idtext, const char *rev, const char *msg, long long n)
{
	struct proto_ev e;
	json_t *id = idtext != NULL ? json_loads(idtext, JSON_DECODE_ANY,
	    NULL) : NULL;
	char *a, *b;

	proto_ev_init(&e);
	proto_ev_str(&e, "revision", rev);
	proto_ev_str(&e, "message", msg);
	proto_ev_int(&e, "index", n);
	a = proto_ev_line(&e, id, "step_started");
	b = proto_encode_event_steal(id, "step_started", json_pack("{s:s, "
	    "s:s, s:I}", "revision", rev, "message", msg, "index",
	    (json_int_t)n));
	assert_non_null(a);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(id);
}

/* planned: an array of objects, empty or not; an id that outgrows 256 */
static void
ev_planned_same(size_t nsteps, const char *idtext)
{
	struct proto_ev e;
	json_t *steps = json_array(), *id = json_loads(idtext,
	    JSON_DECODE_ANY, NULL);
	char *a, *b, rev[16];
	size_t i;

	proto_ev_init(&e);
	proto_ev_open(&e, "steps", '[');
	for (i = 0; i < nsteps; i++) {
		snprintf(rev, sizeof rev, "r%zu", i);
		proto_ev_open(&e, NULL, '{');
		proto_ev_str(&e, "revision", rev);
		proto_ev_str(&e, "operation", "upgrade");
		proto_ev_close(&e, '}');
		json_array_append_new(steps, json_pack("{s:s, s:s}",
		    "revision", rev, "operation", "upgrade"));
	}
	proto_ev_close(&e, ']');
	a = proto_ev_line(&e, id, "planned");
	b = proto_encode_event_steal(id, "planned", json_pack("{s:o}",
	    "steps", steps));
	assert_non_null(a);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(id);
}

static void
test_event_direct(void **state)
{
	static const char longid[] = "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]";
	struct proto_ev e;
	char *big;

	ev_same("1", "abcd", "create t_1", 1);
	ev_same("1", "abcd", "create t_1", -1);
	ev_same("-42", "abcd", "create t_1", 3);
	ev_same("9223372036854775807", "abcd", "create t_1", 3);
	ev_same("-9223372036854775808", "abcd", "create t_1", 3);
	ev_same("1.5", "abcd", "create t_1", 3);
	ev_same("1", "abcd", "create t_1", 9223372036854775807LL);
	ev_same("1", "abcd", "create t_1", 1234567890);
	ev_same(NULL, "abcd", "", -9223372036854775807LL - 1);
	ev_same("\"x\\\"y\u00e9\"", "a b/c", "~{}[]:,", 1000);
	ev_same("{\"k\":[1,2.5,null,true],\"a\":\"\\n\"}", "r", "m", 0);
	ev_planned_same(0, "7");
	ev_planned_same(1, "7");
	ev_planned_same(300, longid);
	ev_planned_same(0, longid);	/* the id outgrows the buffer */
	/* what jansson must escape: the caller falls back to jansson */
	proto_ev_init(&e);
	proto_ev_str(&e, "message", "caf\xc3\xa9");
	assert_null(proto_ev_line(&e, NULL, "x"));
	proto_ev_init(&e);
	proto_ev_str(&e, "message", "a\"b");
	assert_null(proto_ev_line(&e, NULL, "x"));
	proto_ev_init(&e);
	proto_ev_str(&e, "message", "tab\there");
	assert_null(proto_ev_line(&e, NULL, "x"));
	/* over PROTO_EV_MAX: bad, not cut */
	big = malloc(PROTO_EV_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', PROTO_EV_MAX);
	big[PROTO_EV_MAX] = '\0';
	proto_ev_init(&e);
	proto_ev_str(&e, "message", big);
	assert_null(proto_ev_line(&e, NULL, "x"));
	free(big);
}

static void
test_codes(void **state)
{
	int i;

	for (i = 1; i < MERR__MAX; i++)
		assert_int_equal(merr_code_from_name(merr_code_name(i)), i);
	assert_int_equal(merr_code_from_name("nope"), MERR_NONE);
	assert_string_equal(merr_code_name(MERR_MULTIPLE_HEADS),
	    "multiple_heads");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_decode_limits),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_event_direct),
		cmocka_unit_test(test_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
