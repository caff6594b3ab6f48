/* SPDX-License-Identifier: MIT */
/* fuzz-proto.c: libFuzzer target for the control protocol codec. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "merr.h"
#include "proto.h"

/*
 * The input is one request line as the daemon's conn.c hands it over (the
 * newline removed): proto_decode(), then the typed argument readers the
 * ops use, then the reply encoders on the outcome, each reply parsed back
 * with proto_parse_reply() as migratectl does. The raw input also goes to
 * proto_parse_reply(). Beyond not crashing or leaking, every reply must be
 * one line of ASCII JSON with the request's id and, for an error, a code
 * and a message; a decoded request must survive a round trip through
 * proto_encode_request(). A breach aborts so libFuzzer keeps the input.
 *
 *	./configure CC=clang --enable-fuzzing
 *	make tests/fuzz/fuzz-proto
 *	cp -r tests/fuzz/corpus/proto /tmp/corpus
 *	tests/fuzz/fuzz-proto /tmp/corpus
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_assert(int ok)
{
	if (!ok)
		abort();
}

/* A reply line: ASCII, one final newline; parsed back into rep. */
static void
fuzz_check_line(const char *line, enum proto_reply_kind kind,
    const json_t *id, struct proto_reply *rep)
{
	size_t len = strlen(line), i;

	fuzz_assert(len >= 2 && line[len - 1] == '\n');
	for (i = 0; i < len - 1; i++)
		fuzz_assert(line[i] != '\n' && (unsigned char)line[i] < 0x80);
	fuzz_assert(proto_parse_reply(line, len - 1, rep) == 0);
	fuzz_assert(rep->kind == kind);
	fuzz_assert(json_equal(json_object_get(rep->body, "id"),
	    id != NULL ? id : json_null()));
}

static void
fuzz_reply_error(const json_t *id, const struct merr *err)
{
	struct proto_reply rep;
	char *line;
	const json_t *msg;

	line = proto_encode_error(id, err);
	fuzz_check_line(line, PROTO_REPLY_ERROR, id, &rep);
	fuzz_assert(rep.code != NULL &&
	    strcmp(rep.code, merr_code_name(err->code)) == 0);
	msg = json_object_get(rep.error, "message");
	fuzz_assert(json_is_string(msg) && json_string_length(msg) > 0);
	proto_reply_clear(&rep);
	free(line);
}

/* The argument readers of the ops, on every name they use. */
static void
fuzz_args(const json_t *args)
{
	static const char *const strs[] = { "target", "revision", "as" };
	static const char *const bools[] = { "sql", "atomic", "fresh" };
	static const char *const ints[] = { "limit", "timeout_ms" };
	static const char *const plan[] = { "target", "sql", "atomic", NULL };
	struct merr err = { 0 };
	const char *s;
	bool b;
	long long n;
	size_t i;
	int r;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		s = NULL;
		r = proto_arg_string(args, strs[i], i == 0, &s, &err);
		fuzz_assert(r == 0 ? s == NULL || json_is_string(json_object_get(
		    args, strs[i])) : err.code == MERR_BAD_REQUEST);
		if (r < 0)
			fuzz_reply_error(NULL, &err);
		merr_clear(&err);
	}
	for (i = 0; i < sizeof bools / sizeof bools[0]; i++) {
		b = false;
		r = proto_arg_bool(args, bools[i], &b, &err);
		fuzz_assert(r == 0 || err.code == MERR_BAD_REQUEST);
		merr_clear(&err);
	}
	for (i = 0; i < sizeof ints / sizeof ints[0]; i++) {
		n = -1;
		r = proto_arg_int(args, ints[i], 0, 10000, &n, &err);
		fuzz_assert(r == 0 ? n == -1 || (n >= 0 && n <= 10000) :
		    err.code == MERR_BAD_REQUEST);
		if (r < 0)
			fuzz_reply_error(NULL, &err);
		merr_clear(&err);
	}
	r = proto_args_only(args, plan, &err);
	fuzz_assert(r == 0 || err.code == MERR_BAD_REQUEST);
	merr_clear(&err);
}

/* The request encoded by the client decodes to the same request. */
static void
fuzz_roundtrip(const struct proto_req *req)
{
	struct proto_req back;
	struct merr err = { 0 };
	char *line;

	line = proto_encode_request(42, req->op, req->args);
	fuzz_assert(proto_decode(line, strlen(line) - 1, &back, &err) == 0);
	fuzz_assert(strcmp(back.op, req->op) == 0);
	fuzz_assert(json_equal(back.args, req->args));
	fuzz_assert(json_integer_value(back.id) == 42);
	proto_req_clear(&back);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_req req;
	struct proto_reply rep;
	struct merr err = { 0 };
	char *line;
	int r;

	r = proto_decode((const char *)data, size, &req, &err);
	fuzz_assert(req.id != NULL);
	if (r < 0) {
		fuzz_assert(err.code == MERR_BAD_REQUEST && req.op == NULL);
		fuzz_reply_error(req.id, &err);
		merr_clear(&err);
	} else {
		fuzz_assert(req.op != NULL && req.op[0] != '\0');
		fuzz_assert(json_is_object(req.args));
		fuzz_args(req.args);
		fuzz_roundtrip(&req);
		/* an answer that echoes the arguments */
		line = proto_encode_ok_steal(req.id, json_deep_copy(req.args));
		fuzz_check_line(line, PROTO_REPLY_OK, req.id, &rep);
		fuzz_assert(json_equal(rep.result, req.args));
		proto_reply_clear(&rep);
		free(line);
		/* an event carrying the op name */
		line = proto_encode_event_steal(req.id, "step_started",
		    json_pack("{s:s}", "revision", req.op));
		fuzz_check_line(line, PROTO_REPLY_EVENT, req.id, &rep);
		fuzz_assert(strcmp(rep.event, "step_started") == 0);
		proto_reply_clear(&rep);
		free(line);
		/* an error naming the op, as unknown_op does */
		merr_set(&err, MERR_UNKNOWN_OP, "unknown op \"%s\"", req.op);
		fuzz_reply_error(req.id, &err);
		merr_clear(&err);
	}
	proto_req_clear(&req);

	/* the client's side: any line the daemon could send */
	if (proto_parse_reply((const char *)data, size, &rep) == 0) {
		fuzz_assert(json_is_object(rep.body));
		fuzz_assert(rep.kind != PROTO_REPLY_ERROR || rep.code != NULL);
		proto_reply_clear(&rep);
	}
	return 0;
}
