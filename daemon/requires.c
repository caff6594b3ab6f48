/* SPDX-License-Identifier: MIT */
/* requires.c: is the database at or beyond a revision (check --requires). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* Is rev exactly one of the version rows (known to the files or not)? */
static bool
requires_is_row(const char *rev)
{
	size_t i;

	for (i = 0; i < D->st.nrows; i++)
		if (strcmp(D->st.rows[i], rev) == 0)
			return true;
	return false;
}

/* Is revision id (from the database) one of need[] (true: or unknown)? */
static bool
requires_needs(const char *id, const bool *need)
{
	ssize_t k;

	if (id == NULL || (k = revgraph_find(D->rs->g, id)) < 0)
		return false;
	return need[k];
}

/* The drift entries of need[] (none when allow_drift); new reference. */
static json_t *
requires_drift(const bool *need)
{
	json_t *a = json_array(), *e;
	size_t i;

	if (D->cfg.allow_drift)
		return a;
	json_array_foreach(D->st.drift, i, e)
		if (need == NULL || requires_needs(json_string_value(
		    json_object_get(e, "revision")), need))
			json_array_append(a, e);
	return a;
}

/* Behind or stuck: can an upgrade from the rows reach rev? */
static enum rg_state
requires_unapplied(size_t k, const size_t *cur, size_t ncur, json_t **pending)
{
	const struct revgraph *g = D->rs->g;
	struct rg_plan plan = { 0 };
	struct merr err = { 0 };

	if (D->st.state == RG_DIRTY || D->st.state == RG_AHEAD ||
	    D->st.state == RG_DIVERGED)
		return D->st.state;	/* upgrades are refused */
	if (revgraph_plan(g, true, cur, ncur, &k, 1, &plan, &err) < 0) {
		merr_clear(&err);
		return RG_DIVERGED;
	}
	*pending = op_plan_json(g, &plan);
	rg_plan_clear(&plan);
	return RG_BEHIND;
}

enum rg_state
requires_state(const char *rev, json_t **result, struct merr *err)
{
	const struct revgraph *g = D->rs->g;
	enum rg_state st = RG_UNKNOWN;
	json_t *pending = NULL, *drift, *target;
	size_t *cur, ncur, k = 0;
	bool *need = NULL, *applied = NULL, known;

	*result = NULL;
	/* not in the files: fine if it is a row; unknown before a read */
	known = revgraph_lookup(g, rev, &k, err) == 0;
	if (!known && D->st.read && !requires_is_row(rev))
		return RG_UNKNOWN;		/* err says why */
	merr_clear(err);
	cur = state_rows_idx(&ncur);
	if (known) {
		need = xcalloc(g->n + 1, sizeof *need);
		applied = xcalloc(g->n + 1, sizeof *applied);
		revgraph_closure(g, &k, 1, need);
		revgraph_closure(g, cur, ncur, applied);
	}
	if (!D->st.read)
		st = RG_UNKNOWN;
	else if (D->st.dirty && (!known || requires_needs(json_string_value(
	    json_object_get(D->st.dirty_info, "revision")), need)))
		st = RG_DIRTY;		/* rev itself may be half done */
	else if (!known || applied[k])
		st = RG_CURRENT;	/* a row, or an ancestor of one */
	else
		st = requires_unapplied(k, cur, ncur, &pending);
	drift = requires_drift(need);
	target = json_array();
	json_array_append_new(target, json_string(known ? g->nodes[k].id :
	    rev));
	*result = json_pack("{s:s, s:o, s:o, s:o, s:o, s:O}", "state",
	    rg_state_name(st), "current", state_rows_json(), "target", target,
	    "pending", pending != NULL ? pending : json_array(), "drift",
	    drift, "dirty", D->st.dirty ? D->st.dirty_info : json_null());
	free(need);
	free(applied);
	free(cur);
	return st;
}

int
requires_ready(const char *rev, char *text, size_t size)
{
	struct merr err = { 0 };
	json_t *result = NULL, *drift;
	enum rg_state st;
	int code = 503;

	if (rev != NULL)
		st = requires_state(rev, &result, &err);
	else {
		st = D->st.state;
		result = json_pack("{s:o}", "pending", state_pending_json());
		json_object_set_new(result, "drift", requires_drift(NULL));
	}
	drift = json_object_get(result, "drift");
	if (result == NULL)
		snprintf(text, size, "not ready: %s\n", err.message);
	else if (st == RG_CURRENT && json_array_size(drift) == 0) {
		code = 200;
		snprintf(text, size, "ready: at %s\n", rev != NULL ? "or "
		    "beyond the revision" : "the heads");
	} else if (st == RG_BEHIND)
		snprintf(text, size, "not ready: behind, %zu pending\n",
		    json_array_size(json_object_get(result, "pending")));
	else
		snprintf(text, size, "not ready: %s\n", st == RG_CURRENT ?
		    "drift" : rg_state_name(st));
	json_decref(result);
	merr_clear(&err);
	return code;
}
