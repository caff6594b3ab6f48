/* SPDX-License-Identifier: MIT */
/* runner-ev.c: the runner's events and reply, written without jansson. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "proto.h"
#include "revgraph.h"
#include "runner-sql.h"

/*
 * planned, step_started and step_finished, and the reply of a plan done:
 * written straight into a buffer with proto_ev (jansson's objects and dump
 * cost ~15k instructions a step's event, 15M a 1,000-step plan's planned
 * event, 9M its reply). The bytes are jansson's; a field jansson would
 * escape (not printable ASCII) makes the writer give up, and jansson
 * encodes that one as before.
 */

void
runner_ev_started(struct req *req, const struct migfile *mf, size_t index,
    size_t total)
{
	struct proto_ev e;
	char *line;

	if (!op_wants_events(req))
		return;
	proto_ev_init(&e);
	proto_ev_str(&e, "revision", mf->revision);
	proto_ev_str(&e, "message", mf->message);
	proto_ev_int(&e, "index", (long long)index);
	proto_ev_int(&e, "total", (long long)total);
	if ((line = proto_ev_line(&e, req->id, "step_started")) != NULL)
		op_event_line(req, line);
	else
		op_event(req, "step_started", json_pack("{s:s, s:s, s:I, s:I}",
		    "revision", mf->revision, "message", mf->message, "index",
		    (json_int_t)index, "total", (json_int_t)total));
}

void
runner_ev_finished(struct req *req, const struct migfile *mf, uint64_t ms)
{
	struct proto_ev e;
	char *line;

	if (!op_wants_events(req))
		return;
	proto_ev_init(&e);
	proto_ev_str(&e, "revision", mf->revision);
	proto_ev_int(&e, "duration_ms", (long long)ms);
	if ((line = proto_ev_line(&e, req->id, "step_finished")) != NULL)
		op_event_line(req, line);
	else
		op_event(req, "step_finished", json_pack("{s:s, s:I}",
		    "revision", mf->revision, "duration_ms", (json_int_t)ms));
}

static const char *
runner_ev_op(const struct rg_step *st)
{
	return st->up ? "upgrade" : "downgrade";
}

void
runner_ev_planned(struct req *req, const struct revgraph *g,
    const struct rg_plan *plan)
{
	const struct migfile *mf;
	struct proto_ev e;
	json_t *steps;
	char *line;
	size_t i;

	if (!op_wants_events(req))
		return;
	proto_ev_init(&e);
	proto_ev_open(&e, "steps", '[');
	for (i = 0; i < plan->n && !e.bad; i++) {
		mf = g->nodes[plan->v[i].rev].mf;
		proto_ev_open(&e, NULL, '{');
		proto_ev_str(&e, "revision", mf->revision);
		proto_ev_str(&e, "operation", runner_ev_op(&plan->v[i]));
		proto_ev_str(&e, "message", mf->message);
		proto_ev_close(&e, '}');
	}
	proto_ev_close(&e, ']');
	if ((line = proto_ev_line(&e, req->id, "planned")) != NULL) {
		op_event_line(req, line);
		return;
	}
	steps = json_array();
	for (i = 0; i < plan->n; i++) {
		mf = g->nodes[plan->v[i].rev].mf;
		json_array_append_new(steps, json_pack("{s:s, s:s, s:s}",
		    "revision", mf->revision, "operation",
		    runner_ev_op(&plan->v[i]), "message", mf->message));
	}
	op_event(req, "planned", json_pack("{s:o}", "steps", steps));
}

json_t *
runner_result_json(const json_t *from, json_t *to,
    const struct runner_done *v, size_t n, const char *op)
{
	json_t *result, *steps = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(steps, json_pack("{s:s, s:s, s:I}",
		    "revision", v[i].mf->revision, "operation", op,
		    "duration_ms", (json_int_t)v[i].ms));
	result = json_object();
	json_object_set(result, "from", (json_t *)from);
	json_object_set_new(result, "to", to);
	json_object_set_new(result, "steps", steps);
	return result;
}

char *
runner_result_line(const json_t *id, const json_t *from, const json_t *to,
    const struct runner_done *v, size_t n, const char *op)
{
	struct proto_ev e;
	char *text, *line;
	size_t i, len;

	proto_ev_init(&e);
	proto_ev_json(&e, "from", from);
	proto_ev_json(&e, "to", to);
	proto_ev_open(&e, "steps", '[');
	for (i = 0; i < n && !e.bad; i++) {
		proto_ev_open(&e, NULL, '{');
		proto_ev_str(&e, "revision", v[i].mf->revision);
		proto_ev_str(&e, "operation", op);
		proto_ev_int(&e, "duration_ms", (long long)v[i].ms);
		proto_ev_close(&e, '}');
	}
	proto_ev_close(&e, ']');
	if ((text = proto_ev_text(&e, &len)) == NULL)
		return NULL;
	line = proto_encode_ok_text(id, text, len);
	free(text);
	return line;
}
