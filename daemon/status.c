/* SPDX-License-Identifier: MIT */
/* status.c: the status and history documents, built from memory. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "proto.h"
#include "revjson.h"
#include "runner-sql.h"

static json_t *
status_database(void)
{
	PGconn *pg = D->readdb != NULL ? db_pg(D->readdb) : NULL;
	json_t *o = json_object();
	const char *host;

	if (pg == NULL) {
		json_decref(o);
		return conninfo_target_json();
	}
	host = PQhost(pg);
	json_object_set_new(o, "host", json_string(host ? host : ""));
	json_object_set_new(o, "port", json_string(PQport(pg)));
	json_object_set_new(o, "dbname", json_string(PQdb(pg)));
	json_object_set_new(o, "user", json_string(PQuser(pg)));
	return o;
}

json_t *
state_rows_json(void)
{
	struct rowset rs;
	json_t *a;

	if (!D->st.read)
		return json_null();
	rowset_from_strs(&rs, D->st.rows, D->st.nrows);
	a = rowset_json(&rs);
	rowset_clear(&rs);
	return a;
}

/* Version rows that name no file (the database is ahead of them). */
static json_t *
status_unknown_rows(void)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < D->st.nrows; i++)
		if (revgraph_find(D->rs->g, D->st.rows[i]) < 0)
			json_array_append_new(a, json_string(D->st.rows[i]));
	return a;
}

/*
 * A copy of a dirty or last_error object with "statements": what its
 * error's STATEMENTS: line says of a non-transactional step (item 5).
 */
static json_t *
status_statements(const json_t *o)
{
	const char *err = json_string_value(json_object_get(o, "error"));
	const char *p = NULL;
	json_t *c;

	if (!json_is_object(o))
		return json_null();
	c = json_copy((json_t *)o);
	if (err != NULL && strncmp(err, "STATEMENTS: ", 12) == 0)
		p = err + 12;
	else if (err != NULL && (p = strstr(err, "\nSTATEMENTS: ")) != NULL)
		p += 13;
	json_object_set_new(c, "statements", p != NULL ?
	    json_stringn(p, strcspn(p, "\n")) : json_null());
	return c;
}

/*
 * The last failed step, while its revision still has a file and is where
 * the step failed to take it: an upgrade's not applied, a downgrade's
 * still applied. The version rows move with each step this daemon runs,
 * before the history is read again.
 */
static json_t *
status_last_error(void)
{
	const json_t *le = D->st.last_error;
	const char *rev = json_string_value(json_object_get(le, "revision"));
	const char *op = json_string_value(json_object_get(le, "operation"));
	size_t *cur, ncur;
	bool *applied, done;
	ssize_t k;

	if (rev == NULL || op == NULL || (k = revgraph_find(D->rs->g,
	    rev)) < 0)
		return json_null();
	cur = state_rows_idx(&ncur);
	applied = xcalloc(D->rs->g->n + 1, sizeof *applied);
	revgraph_closure(D->rs->g, cur, ncur, applied);
	done = applied[k] == (strcmp(op, "upgrade") == 0);
	free(applied);
	free(cur);
	return done ? json_null() : status_statements(D->st.last_error);
}

char *
status_last_error_line(void)
{
	json_t *le = status_last_error();
	const char *file, *msg, *sqlstate;
	char where[PATH_MAX + 32] = "";
	long long line;
	char *s;

	if (json_is_null(le))
		return NULL;
	file = json_string_value(json_object_get(le, "file"));
	line = json_integer_value(json_object_get(le, "line"));
	msg = json_string_value(json_object_get(le, "message"));
	sqlstate = json_string_value(json_object_get(le, "sqlstate"));
	if (file != NULL && line > 0)
		snprintf(where, sizeof where, "%s:%lld: ", file, line);
	else if (file != NULL)
		snprintf(where, sizeof where, "%s: ", file);
	s = xasprintf("%s failed: %s%.*s%s%s%s",
	    json_string_value(json_object_get(le, "revision")), where,
	    msg != NULL ? (int)strcspn(msg, "\n") : 0, msg != NULL ? msg : "",
	    sqlstate != NULL ? " (SQLSTATE " : "", sqlstate != NULL ?
	    sqlstate : "", sqlstate != NULL ? ")" : "");
	json_decref(le);
	return s;
}

json_t *
state_status_json(void)
{
	json_t *o = json_object();

	json_object_set_new(o, "connected", json_boolean(D->read_connected));
	json_object_set_new(o, "error", D->read_connected || !D->read_error ?
	    json_null() : json_string(D->read_error));
	json_object_set_new(o, "database", status_database());
	json_object_set_new(o, "role", json_string(leader_is() ? "leader" :
	    "standby"));
	json_object_set(o, "leader", D->st.leader);
	json_object_set_new(o, "lock_error", leader_is() || !D->lock_error ?
	    json_null() : json_string(D->lock_error));
	json_object_set_new(o, "current", state_rows_json());
	json_object_set_new(o, "unknown_rows", status_unknown_rows());
	json_object_set_new(o, "heads", revset_ids_json(D->rs,
	    D->rs->g->heads, D->rs->g->nheads));
	json_object_set_new(o, "state", json_string(rg_state_name(
	    D->st.state)));
	json_object_set_new(o, "running", runner_running_json());
	json_object_set(o, "drift", D->st.drift);
	json_object_set_new(o, "schema_drift", D->st.schema_drift != NULL ?
	    json_incref(D->st.schema_drift) : json_null());
	if (D->st.schema_note != NULL)
		json_object_set_new(o, "schema_drift_note",
		    json_string(D->st.schema_note));
	json_object_set_new(o, "dirty", D->st.dirty ?
	    status_statements(D->st.dirty_info) : json_null());
	json_object_set_new(o, "last_error", status_last_error());
	json_object_set_new(o, "auto_migrate", json_boolean(
	    D->cfg.auto_migrate));
	json_object_set_new(o, "migrations_dir", json_string(
	    D->cfg.migrations_dir));
	json_object_set_new(o, "revisions", json_integer(D->rs->g->n));
	json_object_set_new(o, "queued", json_integer(D->queue_len));
	json_object_set_new(o, "waiting", json_integer(D->nwaiters));
	json_object_set_new(o, "as_of", D->st.read ? json_string(D->st.as_of) :
	    json_null());
	return o;
}

/*
 * The status result is rendered once and the same bytes go to every
 * reader until something changes (issue 13: a status request costs the
 * daemon a few microseconds, not a jansson document and its dump).
 * status_invalidate() is called where the state changes
 * (daemon_status_changed, state_recompute); the stamp catches what moves
 * without them. While a request runs, its elapsed_ms moves: no cache.
 */
struct status_stamp {
	bool connected, leader;
	size_t queued, waiting;
	const void *rs, *lock_holder;
	char *read_error, *lock_error;
};

static struct {
	char *text;
	size_t len;
	struct status_stamp stamp;
} status_cache;

static bool
status_str_eq(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
status_stamp_eq(const struct status_stamp *a)
{
	return a->connected == D->read_connected &&
	    a->leader == leader_is() && a->queued == D->queue_len &&
	    a->waiting == D->nwaiters &&
	    a->rs == D->rs && a->lock_holder == D->st.leader &&
	    status_str_eq(a->read_error, D->read_error) &&
	    status_str_eq(a->lock_error, D->lock_error);
}

/*
 * The status document as text, its "pending" list written one entry at a
 * time into the text: with 10,000 revisions pending, the list as jansson
 * objects was 5 MiB of heap at once, most of the daemon's peak (issue 13:
 * peak RSS with 10,000 revisions <= 24 MiB).
 */
static char *
status_render(json_t *doc, size_t *len)
{
	const size_t *v;
	size_t n, i, dl, el, cap, off;
	char *text, *e, *out;
	json_t *entry;

	text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text == NULL || (dl = strlen(text)) < 2 || text[dl - 1] != '}')
		fatal("json_dumps failed");
	v = state_pending_idx(&n);
	cap = dl + 16 + n * 64;
	out = xmalloc(cap);
	memcpy(out, text, dl - 1);
	off = dl - 1;
	free(text);
	memcpy(out + off, ",\"pending\":[", 12);
	off += 12;
	for (i = 0; i < n; i++) {
		entry = state_pending_entry(v[i]);
		e = json_dumps(entry, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(entry);
		if (e == NULL)
			fatal("json_dumps failed");
		el = strlen(e);
		while (off + el + 3 > cap)
			out = xreallocarray(out, cap *= 2, 1);
		if (i > 0)
			out[off++] = ',';
		memcpy(out + off, e, el);
		off += el;
		free(e);
	}
	memcpy(out + off, "]}", 3);
	*len = off + 2;
	return out;
}

void
status_invalidate(void)
{
	free(status_cache.text);
	free(status_cache.stamp.read_error);
	free(status_cache.stamp.lock_error);
	memset(&status_cache, 0, sizeof status_cache);
}

char *
status_reply(const struct req *req)
{
	struct status_stamp *st = &status_cache.stamp;
	json_t *doc;
	char *line;

	if (status_cache.text != NULL && D->running == NULL &&
	    status_stamp_eq(st))
		return proto_encode_ok_text(req->id, status_cache.text,
		    status_cache.len);
	status_invalidate();
	doc = state_status_json();
	status_cache.text = status_render(doc, &status_cache.len);
	json_decref(doc);
	line = proto_encode_ok_text(req->id, status_cache.text,
	    status_cache.len);
	if (D->running != NULL) {
		status_invalidate();
		return line;
	}
	st->connected = D->read_connected;
	st->leader = leader_is();
	st->queued = D->queue_len;
	st->waiting = D->nwaiters;
	st->rs = D->rs;
	st->lock_holder = D->st.leader;
	st->read_error = D->read_error ? xstrdup(D->read_error) : NULL;
	st->lock_error = D->lock_error ? xstrdup(D->lock_error) : NULL;
	return line;
}

static bool
status_is_row(const char *id)
{
	size_t i;

	for (i = 0; i < D->st.nrows; i++)
		if (strcmp(D->st.rows[i], id) == 0)
			return true;
	return false;
}

/* Position in g->order of the revision named before (the page starts
 * just older than it): 0 when there is nothing older, -1 if unknown. */
static ssize_t
status_history_start(const struct revgraph *g, const char *before)
{
	ssize_t k;
	size_t i;

	if (before == NULL)
		return (ssize_t)g->n;
	if ((k = revgraph_find(g, before)) < 0)
		return -1;
	for (i = 0; i < g->n; i++)
		if (g->order[i] == (size_t)k)
			return (ssize_t)i;
	return -1;
}

/*
 * The history op's result, newest first, one page: at most `limit`
 * revisions (default STATUS_HISTORY_PAGE) older than `before`; `next` is
 * the `before` of the following page, or null after the oldest. A page,
 * not the graph: 10,000 revisions are 4 MiB of JSON, which would hold the
 * loop (and every other client) for a quarter of a second.
 */
int
state_history_json(const json_t *args, json_t **out, struct merr *err)
{
	const struct revgraph *g = D->rs->g;
	const char *before = NULL;
	long long limit = STATUS_HISTORY_PAGE;
	json_t *o, *revs;
	bool *applied = NULL;
	size_t *cur, ncur, i, end;
	ssize_t start;
	int r;

	if ((r = proto_arg_int(args, "limit", 1, STATUS_HISTORY_MAX, &limit,
	    err)) < 0 || (r = proto_arg_string(args, "before", false, &before,
	    err)) < 0)
		return r;
	if ((start = status_history_start(g, before)) < 0) {
		merr_set(err, MERR_REVISION_NOT_FOUND, "no revision '%s' in "
		    "the migrations directory", before);
		return -ENOENT;
	}
	if (D->st.read) {
		cur = state_rows_idx(&ncur);
		applied = xcalloc(g->n + 1, sizeof *applied);
		revgraph_closure(g, cur, ncur, applied);
		free(cur);
	}
	end = (size_t)start > (size_t)limit ? (size_t)start - (size_t)limit :
	    0;
	revs = json_array();
	for (i = (size_t)start; i-- > end;)
		json_array_append_new(revs, revjson_rev(g, g->order[i],
		    applied != NULL ? applied[g->order[i]] : -1,
		    status_is_row(g->nodes[g->order[i]].id)));
	free(applied);
	o = json_object();
	json_object_set_new(o, "revisions", revs);
	json_object_set_new(o, "current", state_rows_json());
	json_object_set_new(o, "unknown_rows", status_unknown_rows());
	json_object_set_new(o, "heads", revset_ids_json(D->rs, g->heads,
	    g->nheads));
	json_object_set_new(o, "total", json_integer((json_int_t)g->n));
	json_object_set_new(o, "next", end > 0 ? json_string(
	    g->nodes[g->order[end]].mf->revision) : json_null());
	*out = o;
	return 0;
}
