/* SPDX-License-Identifier: MIT */
/* proto.h: NDJSON control protocol codec (SPEC §5). */
#ifndef MIGRATED_PROTO_H
#define MIGRATED_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "merr.h"

#define PROTO_MAX_LINE (64 * 1024)	/* a request line, newline excluded */
#define PROTO_MAX_DEPTH 32		/* JSON nesting accepted in a request */

/* A decoded request. id and args are owned references (args never NULL). */
struct proto_req {
	json_t *id;		/* json null when absent */
	char *op;
	json_t *args;		/* an object */
};

/*
 * Decode one request line (without its newline). On failure err is
 * bad_request and req->id holds the id when the line was a JSON object
 * with one (else json null), so the reply can echo it. req is always
 * initialised; release it with proto_req_clear().
 */
int proto_decode(const char *line, size_t len, struct proto_req *req,
    struct merr *err) MIG_MUSTCHECK;
void proto_req_clear(struct proto_req *req);

/*
 * Typed access to args. Missing optional fields leave *out unchanged;
 * a wrong type or a missing required field is bad_request.
 */
int proto_arg_string(const json_t *args, const char *name, bool required,
    const char **out, struct merr *err) MIG_MUSTCHECK;
int proto_arg_bool(const json_t *args, const char *name, bool *out,
    struct merr *err) MIG_MUSTCHECK;
int proto_arg_int(const json_t *args, const char *name, long long min,
    long long max, long long *out, struct merr *err) MIG_MUSTCHECK;
/* bad_request if args has a key not in the NULL-terminated list. */
int proto_args_only(const json_t *args, const char *const *allowed,
    struct merr *err) MIG_MUSTCHECK;

/*
 * Encoders: each returns a malloc'd line ending in "\n" (caller frees).
 * id may be NULL (encoded as null). *_steal take over the json_t.
 */
char *proto_encode_ok_steal(const json_t *id, json_t *result);
char *proto_encode_ok_text(const json_t *id, const char *text, size_t len);
char *proto_encode_error(const json_t *id, const struct merr *err);
char *proto_encode_event_steal(const json_t *id, const char *event,
    json_t *fields);
/*
 * An event written straight into a growing buffer, without building
 * jansson objects: the same bytes as proto_encode_event_steal() of the
 * same fields in the same order. Strings other than printable ASCII
 * without '"' and '\\', or more than PROTO_EV_MAX bytes, make it bad: the
 * caller then encodes the event with jansson (proto_ev_line() returns
 * NULL). proto_ev_init(), members, then proto_ev_line() (which frees what
 * it does not return) or proto_ev_free().
 */
#define PROTO_EV_MAX (4u * 1024 * 1024)
struct proto_ev {
	char *buf;
	size_t len, cap;
	bool bad;
};
void proto_ev_init(struct proto_ev *e);
void proto_ev_free(struct proto_ev *e);
void proto_ev_str(struct proto_ev *e, const char *key, const char *value);
void proto_ev_int(struct proto_ev *e, const char *key, long long value);
/* '{' or '[' (key NULL: an element of an array), then its '}' or ']'. */
void proto_ev_open(struct proto_ev *e, const char *key, char c);
void proto_ev_close(struct proto_ev *e, char c);
/* v as jansson writes it (key NULL: an element of an array). */
void proto_ev_json(struct proto_ev *e, const char *key, const json_t *v);
/* The event's line: e's members, then "id" and "event"; NULL if bad. */
char *proto_ev_line(struct proto_ev *e, const json_t *id, const char *event);
/* e as a JSON object's text (len bytes, no newline); NULL if bad. */
char *proto_ev_text(struct proto_ev *e, size_t *len);
/* The error object {"code","message",...} of err (new reference). */
json_t *proto_error_object(const struct merr *err);

/* Encode a request line (client side); caller frees. */
char *proto_encode_request(long long id, const char *op, const json_t *args);

enum proto_reply_kind {
	PROTO_REPLY_EVENT,
	PROTO_REPLY_OK,
	PROTO_REPLY_ERROR,
};

/* A decoded reply line (client side). body is owned. */
struct proto_reply {
	enum proto_reply_kind kind;
	json_t *body;		/* the whole line's object */
	const char *event;	/* borrowed from body: event name */
	const json_t *result;	/* borrowed: result (ok) */
	const json_t *error;	/* borrowed: error object (error) */
	const char *code;	/* borrowed: error code (error) */
};

int proto_parse_reply(const char *line, size_t len, struct proto_reply *rep)
    MIG_MUSTCHECK;
void proto_reply_clear(struct proto_reply *rep);

#endif
