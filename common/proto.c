/* SPDX-License-Identifier: MIT */
/* proto.c: NDJSON control protocol codec (SPEC §5). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "utf8.h"

/* Nesting depth of a JSON text, or -1 past PROTO_MAX_DEPTH (strings skipped). */
static int
proto_depth_ok(const char *s, size_t len)
{
	bool instr = false;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (instr) {
			if (c == '\\')
				i++;
			else if (c == '"')
				instr = false;
			continue;
		}
		if (c == '"')
			instr = true;
		else if (c == '{' || c == '[') {
			if (++depth > PROTO_MAX_DEPTH)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

void
proto_req_clear(struct proto_req *req)
{
	json_decref(req->id);
	json_decref(req->args);
	free(req->op);
	memset(req, 0, sizeof *req);
}

int
proto_decode(const char *line, size_t len, struct proto_req *req,
    struct merr *err)
{
	json_error_t jerr;
	json_t *root, *op, *args, *id;
	const char *key;
	json_t *val;

	memset(req, 0, sizeof *req);
	req->id = json_null();
	if (len > PROTO_MAX_LINE)
		return merr_set(err, MERR_BAD_REQUEST,
		    "request line longer than %d bytes", PROTO_MAX_LINE);
	if (!proto_depth_ok(line, len))
		return merr_set(err, MERR_BAD_REQUEST,
		    "JSON nested deeper than %d levels", PROTO_MAX_DEPTH);
	root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return merr_set(err, MERR_BAD_REQUEST, "invalid JSON: %s",
		    jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return merr_set(err, MERR_BAD_REQUEST,
		    "a request must be a JSON object");
	}
	if ((id = json_object_get(root, "id")) != NULL) {
		json_decref(req->id);
		req->id = json_incref(id);
	}
	json_object_foreach(root, key, val) {
		if (strcmp(key, "id") != 0 && strcmp(key, "op") != 0 &&
		    strcmp(key, "args") != 0) {
			merr_set(err, MERR_BAD_REQUEST,
			    "unknown field \"%s\" (expected id, op, args)", key);
			json_decref(root);
			return -EINVAL;
		}
	}
	op = json_object_get(root, "op");
	if (op == NULL || !json_is_string(op) || json_string_length(op) == 0) {
		json_decref(root);
		return merr_set(err, MERR_BAD_REQUEST,
		    "field \"op\" must be a non-empty string");
	}
	args = json_object_get(root, "args");
	if (args != NULL && !json_is_object(args) && !json_is_null(args)) {
		json_decref(root);
		return merr_set(err, MERR_BAD_REQUEST,
		    "field \"args\" must be an object");
	}
	req->op = xstrdup(json_string_value(op));
	req->args = (args != NULL && json_is_object(args)) ?
	    json_incref(args) : json_object();
	json_decref(root);
	return 0;
}

int
proto_arg_string(const json_t *args, const char *name, bool required,
    const char **out, struct merr *err)
{
	const json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v)) {
		if (required)
			return merr_set(err, MERR_BAD_REQUEST,
			    "missing argument \"%s\"", name);
		return 0;
	}
	if (!json_is_string(v))
		return merr_set(err, MERR_BAD_REQUEST,
		    "argument \"%s\" must be a string", name);
	*out = json_string_value(v);
	return 0;
}

int
proto_arg_bool(const json_t *args, const char *name, bool *out,
    struct merr *err)
{
	const json_t *v = json_object_get(args, name);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return merr_set(err, MERR_BAD_REQUEST,
		    "argument \"%s\" must be true or false", name);
	*out = json_is_true(v);
	return 0;
}

int
proto_arg_int(const json_t *args, const char *name, long long min,
    long long max, long long *out, struct merr *err)
{
	const json_t *v = json_object_get(args, name);
	long long x;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return merr_set(err, MERR_BAD_REQUEST,
		    "argument \"%s\" must be an integer", name);
	x = json_integer_value(v);
	if (x < min || x > max)
		return merr_set(err, MERR_BAD_REQUEST,
		    "argument \"%s\" must be between %lld and %lld", name, min,
		    max);
	*out = x;
	return 0;
}

int
proto_args_only(const json_t *args, const char *const *allowed,
    struct merr *err)
{
	const char *key;
	json_t *val;
	size_t i;

	json_object_foreach((json_t *)args, key, val) {
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (allowed[i] == NULL)
			return merr_set(err, MERR_BAD_REQUEST,
			    "unknown argument \"%s\"", key);
	}
	return 0;
}

static char *
proto_dump_line(json_t *obj)
{
	char *s, *line;
	size_t len;

	s = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s == NULL)
		fatal("json_dumps failed");
	len = strlen(s);
	line = xmalloc(len + 2);
	memcpy(line, s, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	free(s);
	return line;
}

/*
 * {"id":ID,"ok":true,"result":TEXT} and a newline around a result encoded
 * once for many replies (TEXT: compact JSON, len bytes); caller frees.
 */
char *
proto_encode_ok_text(const json_t *id, const char *text, size_t len)
{
	static const char head[] = "{\"id\":", mid[] = ",\"ok\":true,\"result\":";
	char *ids, *line, *p;
	size_t n;

	ids = json_dumps(id != NULL ? id : json_null(), JSON_COMPACT |
	    JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
	if (ids == NULL)
		fatal("json_dumps failed");
	n = strlen(ids);
	p = line = xmalloc(sizeof head - 1 + n + sizeof mid - 1 + len + 3);
	memcpy(p, head, sizeof head - 1);
	p += sizeof head - 1;
	memcpy(p, ids, n);
	p += n;
	memcpy(p, mid, sizeof mid - 1);
	p += sizeof mid - 1;
	memcpy(p, text, len);
	p += len;
	memcpy(p, "}\n", 3);
	free(ids);
	return line;
}

static json_t *
proto_id(const json_t *id)
{
	return id != NULL ? json_deep_copy(id) : json_null();
}

char *
proto_encode_ok_steal(const json_t *id, json_t *result)
{
	json_t *o;
	char *line;

	o = json_object();
	json_object_set_new(o, "id", proto_id(id));
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "result", result != NULL ? result :
	    json_object());
	line = proto_dump_line(o);
	json_decref(o);
	return line;
}

/*
 * A JSON string of s. jansson refuses invalid UTF-8 (json_string() gives
 * NULL, and the field would silently vanish from the reply); such bytes,
 * say from jansson's own "near '...'" quoting a broken request or from a
 * file name, become '?'.
 */
static json_t *
proto_string(const char *s)
{
	json_t *j;
	char *t;
	size_t i, n, k;

	if ((j = json_string(s)) != NULL)
		return j;
	t = xstrdup(s);
	n = strlen(t);
	for (i = 0; i < n; i += k)
		if ((k = utf8_seq((unsigned char *)t + i, n - i)) == 0) {
			t[i] = '?';
			k = 1;
		}
	j = json_string(t);
	free(t);
	return j != NULL ? j : json_string("?");
}

static void
proto_set_str(json_t *o, const char *key, const char *val)
{
	if (val != NULL)
		json_object_set_new(o, key, proto_string(val));
}

json_t *
proto_error_object(const struct merr *err)
{
	json_t *e;

	e = json_object();
	json_object_set_new(e, "code", json_string(merr_code_name(err->code)));
	json_object_set_new(e, "message", proto_string(err->message != NULL ?
	    err->message : merr_code_name(err->code)));
	proto_set_str(e, "revision", err->revision);
	proto_set_str(e, "file", err->file);
	if (err->line > 0)
		json_object_set_new(e, "line", json_integer(err->line));
	if (err->position > 0)
		json_object_set_new(e, "position", json_integer(err->position));
	proto_set_str(e, "sqlstate", err->sqlstate);
	proto_set_str(e, "detail", err->detail);
	proto_set_str(e, "hint", err->hint);
	proto_set_str(e, "context", err->context);
	proto_set_str(e, "state", err->state);
	return e;
}

char *
proto_encode_error(const json_t *id, const struct merr *err)
{
	json_t *o;
	char *line;

	o = json_object();
	json_object_set_new(o, "id", proto_id(id));
	json_object_set_new(o, "ok", json_false());
	json_object_set_new(o, "error", proto_error_object(err));
	line = proto_dump_line(o);
	json_decref(o);
	return line;
}

char *
proto_encode_event_steal(const json_t *id, const char *event, json_t *fields)
{
	json_t *o;
	char *line;

	o = fields != NULL ? fields : json_object();
	json_object_set_new(o, "id", proto_id(id));
	json_object_set_new(o, "event", json_string(event));
	line = proto_dump_line(o);
	json_decref(o);
	return line;
}

void
proto_ev_init(struct proto_ev *e)
{
	e->cap = 256;
	e->buf = xmalloc(e->cap);
	e->buf[0] = '{';
	e->len = 1;
	e->bad = false;
}

void
proto_ev_free(struct proto_ev *e)
{
	free(e->buf);
	e->buf = NULL;
	e->len = e->cap = 0;
}

/* Append s (n bytes) to e, or make e bad. */
static void
proto_ev_put(struct proto_ev *e, const char *s, size_t n)
{
	if (e->bad || n > PROTO_EV_MAX - e->len) {
		e->bad = true;
		return;
	}
	if (n > e->cap - e->len) {
		while (n > e->cap - e->len)
			e->cap *= 2;
		e->buf = xreallocarray(e->buf, e->cap, 1);
	}
	memcpy(e->buf + e->len, s, n);
	e->len += n;
}

/* "s" if jansson would write s as it is (printable ASCII, no '"' '\\'). */
static void
proto_ev_quoted(struct proto_ev *e, const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] > 0x7e ||
		    s[n] == '"' || s[n] == '\\') {
			e->bad = true;
			return;
		}
	proto_ev_put(e, "\"", 1);
	proto_ev_put(e, s, n);
	proto_ev_put(e, "\"", 1);
}

/* The separator before a member or an element: none after '{' or '['. */
static void
proto_ev_sep(struct proto_ev *e)
{
	if (e->len > 0 && e->buf[e->len - 1] != '{' &&
	    e->buf[e->len - 1] != '[')
		proto_ev_put(e, ",", 1);
}

static void
proto_ev_key(struct proto_ev *e, const char *key)
{
	proto_ev_sep(e);
	proto_ev_quoted(e, key);
	proto_ev_put(e, ":", 1);
}

void
proto_ev_str(struct proto_ev *e, const char *key, const char *value)
{
	proto_ev_key(e, key);
	proto_ev_quoted(e, value);
}

/* value as "%lld" would, without snprintf's parsing (1k instructions) */
static void
proto_ev_num(struct proto_ev *e, long long value)
{
	char num[24], *p = num + sizeof num;
	unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value :
	    (unsigned long long)value;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (value < 0)
		*--p = '-';
	proto_ev_put(e, p, (size_t)(num + sizeof num - p));
}

void
proto_ev_int(struct proto_ev *e, const char *key, long long value)
{
	proto_ev_key(e, key);
	proto_ev_num(e, value);
}

void
proto_ev_open(struct proto_ev *e, const char *key, char c)
{
	if (key != NULL)
		proto_ev_key(e, key);
	else
		proto_ev_sep(e);
	proto_ev_put(e, &c, 1);
}

void
proto_ev_close(struct proto_ev *e, char c)
{
	proto_ev_put(e, &c, 1);
}

void
proto_ev_json(struct proto_ev *e, const char *key, const json_t *v)
{
	size_t n;

	if (key != NULL)
		proto_ev_key(e, key);
	else
		proto_ev_sep(e);
	if (e->bad)
		return;
	if (json_is_integer(v)) {	/* a request's usual id: no jansson */
		proto_ev_num(e, (long long)json_integer_value(v));
		return;
	}
	/* as in proto_dump_line(): compact, ASCII */
	n = json_dumpb(v != NULL ? v : json_null(), e->buf + e->len,
	    e->cap - e->len, JSON_COMPACT | JSON_ENSURE_ASCII |
	    JSON_ENCODE_ANY);
	if (n > e->cap - e->len && n <= PROTO_EV_MAX - e->len) {
		e->cap = e->len + n;
		e->buf = xreallocarray(e->buf, e->cap, 1);
		n = json_dumpb(v != NULL ? v : json_null(), e->buf + e->len,
		    e->cap - e->len, JSON_COMPACT | JSON_ENSURE_ASCII |
		    JSON_ENCODE_ANY);
	}
	if (n == 0 || n > e->cap - e->len)
		e->bad = true;
	else
		e->len += n;
}

/* Close e's object and take its text (len bytes, '\0' after them). */
static char *
proto_ev_take(struct proto_ev *e, const char *end, size_t n, size_t *len)
{
	char *text;

	proto_ev_put(e, end, n + 1);	/* and the '\0' */
	if (e->bad) {
		proto_ev_free(e);
		return NULL;
	}
	text = e->buf;
	*len = e->len - 1;
	e->buf = NULL;
	e->len = e->cap = 0;
	return text;
}

char *
proto_ev_text(struct proto_ev *e, size_t *len)
{
	return proto_ev_take(e, "}", 1, len);
}

char *
proto_ev_line(struct proto_ev *e, const json_t *id, const char *event)
{
	size_t len;

	proto_ev_json(e, "id", id);
	proto_ev_str(e, "event", event);
	return proto_ev_take(e, "}\n", 2, &len);
}

char *
proto_encode_request(long long id, const char *op, const json_t *args)
{
	json_t *o;
	char *line;

	o = json_object();
	json_object_set_new(o, "id", json_integer(id));
	json_object_set_new(o, "op", json_string(op));
	if (args != NULL)
		json_object_set_new(o, "args", json_deep_copy(args));
	line = proto_dump_line(o);
	json_decref(o);
	return line;
}

int
proto_parse_reply(const char *line, size_t len, struct proto_reply *rep)
{
	json_t *root, *v;

	memset(rep, 0, sizeof *rep);
	root = json_loadb(line, len, 0, NULL);
	if (root == NULL || !json_is_object(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	rep->body = root;
	if ((v = json_object_get(root, "event")) != NULL &&
	    json_is_string(v)) {
		rep->kind = PROTO_REPLY_EVENT;
		rep->event = json_string_value(v);
		return 0;
	}
	v = json_object_get(root, "ok");
	if (json_is_true(v)) {
		rep->kind = PROTO_REPLY_OK;
		rep->result = json_object_get(root, "result");
		return 0;
	}
	if (json_is_false(v)) {
		rep->kind = PROTO_REPLY_ERROR;
		rep->error = json_object_get(root, "error");
		v = json_object_get(rep->error, "code");
		rep->code = json_is_string(v) ? json_string_value(v) :
		    "internal";
		return 0;
	}
	proto_reply_clear(rep);
	return -EBADMSG;
}

void
proto_reply_clear(struct proto_reply *rep)
{
	json_decref(rep->body);
	memset(rep, 0, sizeof *rep);
}
