/* SPDX-License-Identifier: MIT */
/* op-wait.c: where the database stands against a target; the wait op. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "proto.h"
#include "runner-sql.h"

/* Is every member of target applied (in the closure of the rows)? */
static bool
op_target_applied(const size_t *t, size_t nt, const bool *applied)
{
	size_t i;

	for (i = 0; i < nt; i++)
		if (!applied[t[i]])
			return false;
	return true;
}

json_t *
op_plan_json(const struct revgraph *g, const struct rg_plan *p)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < p->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "revision",
		    g->nodes[p->v[i].rev].id, "message",
		    g->nodes[p->v[i].rev].mf->message));
	return a;
}

enum rg_state
op_target_state(const char *target, json_t **result, struct merr *err)
{
	const struct revgraph *g = D->rs->g;
	struct rg_plan plan = { 0 };
	enum rg_state st = D->st.state;
	size_t *cur, ncur, *t = NULL, nt = 0;
	bool *applied;
	json_t *pending = NULL, *tj;

	cur = state_rows_idx(&ncur);
	if (revgraph_resolve(g, target, cur, ncur, &t, &nt, err) < 0) {
		free(cur);
		return RG_UNKNOWN;
	}
	tj = revset_ids_json(D->rs, t, nt);
	if (st == RG_CURRENT || st == RG_BEHIND || st == RG_DIVERGED) {
		applied = xcalloc(g->n + 1, sizeof *applied);
		revgraph_closure(g, cur, ncur, applied);
		if (op_target_applied(t, nt, applied) &&
		    (strcmp(target, "heads") != 0 || st == RG_CURRENT))
			st = RG_CURRENT;
		else if (st != RG_DIVERGED && revgraph_plan(g, true, cur, ncur,
		    t, nt, &plan, err) == 0) {
			st = RG_BEHIND;
			pending = op_plan_json(g, &plan);
		}
		merr_clear(err);
		rg_plan_clear(&plan);
		free(applied);
	}
	free(cur);
	free(t);
	*result = json_pack("{s:s, s:o, s:o, s:o, s:O, s:O}", "state",
	    rg_state_name(st), "current", state_rows_json(), "target", tj, "pending", pending ? pending : json_array(),
	    "drift", D->st.drift, "dirty", D->st.dirty ? D->st.dirty_info :
	    json_null());
	return st;
}

/* ---- wait ---- */

struct wait_data {
	char *target;
};

static void
op_wait_free(void *p)
{
	struct wait_data *w = p;

	if (w != NULL)
		free(w->target);
	free(w);
}

/* Answer if the state decides the wait; returns true if it did. */
static bool
op_wait_eval(struct req *req)
{
	struct wait_data *w = req->data;
	struct merr err = { 0 };
	json_t *result = NULL;
	enum rg_state st;
	const char *why = NULL;

	if (!D->st.read)
		return false;
	st = op_target_state(w->target, &result, &err);
	if (err.code != MERR_NONE) {
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return true;
	}
	if (st == RG_DIRTY) {
		merr_set(&err, MERR_DIRTY, "the database is dirty: a "
		    "non-transactional step did not finish; run migratectl "
		    "resolve");
		why = "dirty";
	} else if (st == RG_AHEAD) {
		merr_set(&err, MERR_REVISION_NOT_FOUND, "the database is "
		    "ahead of the migration files");
		why = "ahead";
	} else if (st == RG_DIVERGED) {
		merr_set(&err, MERR_REVISION_NOT_FOUND, "the database has "
		    "diverged from the migration files");
		why = "diverged";
	} else if (json_array_size(D->st.drift) > 0 && !D->cfg.allow_drift) {
		merr_set(&err, MERR_DRIFT_DETECTED, "applied migrations were "
		    "edited (drift)");
		why = "drift";
	}
	if (why != NULL) {
		json_decref(result);
		err.state = xstrdup(why);
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return true;
	}
	if (st == RG_CURRENT) {
		op_finish(req, result, NULL);
		return true;
	}
	json_decref(result);
	return false;
}

static void
op_wait_recheck(struct req *req)
{
	if (!op_wait_eval(req))
		op_wait_add(req);
}

static void
op_wait_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct req *req = arg;
	struct wait_data *w = req->data;
	struct merr err = { 0 };

	merr_set(&err, MERR_TIMEOUT, "the database did not reach %s in "
	    "time (state %s)", w->target, rg_state_name(D->st.state));
	op_finish(req, NULL, &err);
	merr_clear(&err);
}

static int
op_wait_exec(struct req *req, json_t **result, struct merr *err)
{
	const char *target = "heads";
	long long timeout = 0;
	struct wait_data *w;
	struct timeval tv;
	size_t *cur, ncur, *t = NULL, nt;
	int r;

	if ((r = proto_arg_string(req->args, "target", false, &target,
	    err)) < 0 ||
	    (r = proto_arg_int(req->args, "timeout_ms", 0, 86400000LL * 30,
	    &timeout, err)) < 0)
		return r;
	/* a bad target is an error now, not at the first refresh */
	cur = state_rows_idx(&ncur);
	r = revgraph_resolve(D->rs->g, target, cur, ncur, &t, &nt, err);
	free(cur);
	free(t);
	if (r < 0)
		return r;
	if (op_waiters_full())
		return merr_set(err, MERR_BUSY, "too many requests waiting "
		    "(%d)", WAITERS_MAX);
	w = xcalloc(1, sizeof *w);
	w->target = xstrdup(target);
	req->data = w;
	req->data_free = op_wait_free;
	if (op_wait_eval(req))
		return OP_WAIT;	/* already answered */
	if (timeout > 0) {
		req->ev_timer = evtimer_new(D->base, op_wait_timeout, req);
		tv.tv_sec = timeout / 1000;
		tv.tv_usec = (timeout % 1000) * 1000;
		evtimer_add(req->ev_timer, &tv);
	}
	op_wait_add(req);
	state_refresh();
	return OP_WAIT;
}

static const char *const wait_args[] = { "target", "timeout_ms", NULL };

const struct op_entry op_wait_entry = {
	.name = "wait", .flags = 0, .args = wait_args,
	.exec = op_wait_exec, .recheck = op_wait_recheck,
};
