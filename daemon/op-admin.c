/* SPDX-License-Identifier: MIT */
/* op-admin.c: stamp, resolve, reload and cancel. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "proto.h"
#include "runner-sql.h"

static const char *const no_args[] = { NULL };

/* ---- stamp and resolve: rewrite the version rows under the lock ---- */

struct rows_change {
	struct rowset from;
	struct rowset to;
	char *as;		/* resolve: "applied" / "rolled-back" */
	char *revision;
	struct merr err;	/* a failure, answered once rolled back */
};

static void
rows_change_free(void *p)
{
	struct rows_change *c = p;

	if (c == NULL)
		return;
	rowset_clear(&c->from);
	rowset_clear(&c->to);
	free(c->as);
	free(c->revision);
	merr_clear(&c->err);
	free(c);
}

/* The failed change is rolled back: answer with the error kept in c. */
static void
op_rows_rolled_back(struct db *db, const struct db_result *r, void *arg)
{
	struct req *req = arg;
	struct rows_change *c = req->data;

	if (!r->conn_lost && r->failed >= 0)
		log_warn("ROLLBACK failed: %s, ignoring",
		    PQresultErrorMessage(r->err));
	op_finish(req, NULL, &c->err);
}

static void
op_rows_failed(struct req *req, const struct db_result *r)
{
	struct rows_change *c = req->data;
	const char *state;

	state = PQresultErrorField(r->err, PG_DIAG_SQLSTATE);
	merr_set(&c->err, MERR_INTERNAL, "%s failed: %s", req->op->name,
	    PQresultErrorMessage(r->err));
	if (state != NULL && (strcmp(state, "MGPLN") == 0 ||
	    strcmp(state, "55P03") == 0))
		c->err.code = MERR_BUSY;	/* raced or waited: try again */
	if (state != NULL && strcmp(state, "MGLCK") == 0) {
		leader_lost("the advisory lock is not held");
		op_finish(req, NULL, &c->err);
		return;
	}
	if (db_query1(D->lockdb, "ROLLBACK", 0, NULL, op_rows_rolled_back,
	    req) < 0) {
		leader_lost("lock session down");
		op_finish(req, NULL, &c->err);
	}
}

static void
op_rows_done(struct db *db, const struct db_result *r, void *arg)
{
	struct req *req = arg;
	struct rows_change *c = req->data;
	struct merr err = { 0 };
	json_t *res;

	if (r->conn_lost) {
		merr_set(&err, MERR_NOT_LEADER, "lock session lost: %s",
		    r->conn_error);
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return;
	}
	if (r->failed >= 0) {
		op_rows_failed(req, r);
		return;
	}
	state_set_rows(c->to.v, c->to.n);
	state_refresh();
	/*
	 * A stamp or a resolve is the operator saying what the schema is now
	 * (often after mending it by hand): it is recorded as a plan's is.
	 */
	schema_record();
	log_op(LOG_LVL_NOTICE, req->op->name, c->revision, -1, NULL,
	    "%s by %s: version rows now %zu", req->op->name, req->user,
	    c->to.n);
	if (c->as != NULL)
		res = json_pack("{s:s, s:s, s:o}", "revision", c->revision,
		    "as", c->as, "current", rowset_json(&c->to));
	else
		res = json_pack("{s:o, s:o}", "from", rowset_json(&c->from),
		    "to", rowset_json(&c->to));
	op_finish(req, res, NULL);
}

/* Send the transaction turning c->from into c->to. */
static int
op_rows_send(struct req *req, const char *checksum, const char *message,
    struct merr *err)
{
	struct rows_change *c = req->data;
	struct rsql_batch b;
	size_t i;
	int r;

	rsql_init(&b);
	rsql_add(&b, "BEGIN", 0);
	rsql_add_lock(&b, &c->from, D->cfg.lock_timeout);
	rsql_version_change(&b, &c->from, &c->to);
	if (c->as != NULL)
		rsql_history_row(&b, c->revision, "resolve", checksum, message,
		    req->user);
	else if (c->to.n == 0)
		rsql_history_row(&b, "base", "stamp", NULL, message, req->user);
	for (i = 0; c->as == NULL && i < c->to.n; i++)
		rsql_history_row(&b, c->to.v[i], "stamp", NULL, message,
		    req->user);
	rsql_notify(&b);
	rsql_add(&b, "COMMIT", 0);
	rsql_add_reset(&b);
	r = db_batch(D->lockdb, true, b.n, b.q, op_rows_done, req);
	rsql_clear(&b);
	if (r < 0)
		return merr_set(err, MERR_NOT_LEADER, "lock session down");
	return OP_WAIT;
}

static void
op_stamp_fresh(void *arg, bool ok)
{
	struct req *req = arg;
	struct rows_change *c;
	struct merr err = { 0 };
	const char *target = "heads";
	size_t *cur, ncur, *t = NULL, nt = 0, *rows, n;
	bool *applied;

	if (!ok) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "database unreachable");
		goto fail;
	}
	MIG_IGNORE(proto_arg_string(req->args, "target", true, &target, &err));
	cur = state_rows_idx(&ncur);
	if (revgraph_resolve(D->rs->g, target, cur, ncur, &t, &nt, &err) < 0) {
		free(cur);
		goto fail;
	}
	free(cur);
	c = xcalloc(1, sizeof *c);
	req->data = c;
	req->data_free = rows_change_free;
	rowset_from_strs(&c->from, D->st.rows, D->st.nrows);
	applied = xcalloc(D->rs->g->n + 1, sizeof *applied);
	revgraph_closure(D->rs->g, t, nt, applied);
	rows = xcalloc(D->rs->g->n + 1, sizeof *rows);
	n = revgraph_rows_of(D->rs->g, applied, rows);
	rowset_from_idx(&c->to, D->rs, rows, n);
	c->revision = xstrdup(target);
	free(rows);
	free(applied);
	free(t);
	if (op_rows_send(req, NULL, "stamped", &err) == OP_WAIT)
		return;
fail:
	op_finish(req, NULL, &err);
	merr_clear(&err);
}

static int
op_stamp_exec(struct req *req, json_t **result, struct merr *err)
{
	const char *target = NULL;
	int r;

	if ((r = proto_arg_string(req->args, "target", true, &target,
	    err)) < 0)
		return r;
	return op_fresh(req, op_stamp_fresh, err);
}

static const char *const stamp_args[] = { "target", NULL };

const struct op_entry op_stamp_entry = {
	.name = "stamp", .flags = OP_AUTH | OP_QUEUED | OP_LEADER,
	.args = stamp_args, .exec = op_stamp_exec,
};

static void
op_resolve_fresh(void *arg, bool ok)
{
	struct req *req = arg;
	struct rows_change *c;
	struct merr err = { 0 };
	const char *rev = NULL, *as = NULL;
	size_t *cur, ncur, k, *rows, n, i;
	bool *applied, appl;

	if (!ok) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "database unreachable");
		goto fail;
	}
	MIG_IGNORE(proto_arg_string(req->args, "revision", true, &rev, &err));
	MIG_IGNORE(proto_arg_string(req->args, "as", true, &as, &err));
	if (revgraph_lookup(D->rs->g, rev, &k, &err) < 0)
		goto fail;
	appl = strcmp(as, "applied") == 0;
	cur = state_rows_idx(&ncur);
	applied = xcalloc(D->rs->g->n + 1, sizeof *applied);
	revgraph_closure(D->rs->g, cur, ncur, applied);
	free(cur);
	if (appl) {
		cur = xcalloc(2, sizeof *cur);
		cur[0] = k;
		revgraph_closure(D->rs->g, cur, 1, applied);
		free(cur);
	} else {
		/* k and everything above it is not in effect */
		struct rg_plan p = { 0 };

		applied[k] = false;
		if (revgraph_plan(D->rs->g, false, &k, 1, &k, 1, &p, &err) ==
		    0)
			for (i = 0; i < p.n; i++)
				applied[p.v[i].rev] = false;
		rg_plan_clear(&p);
		merr_clear(&err);
	}
	c = xcalloc(1, sizeof *c);
	req->data = c;
	req->data_free = rows_change_free;
	rowset_from_strs(&c->from, D->st.rows, D->st.nrows);
	rows = xcalloc(D->rs->g->n + 1, sizeof *rows);
	n = revgraph_rows_of(D->rs->g, applied, rows);
	rowset_from_idx(&c->to, D->rs, rows, n);
	free(rows);
	free(applied);
	c->revision = xstrdup(D->rs->g->nodes[k].id);
	c->as = xstrdup(as);
	if (op_rows_send(req, appl ? D->rs->g->nodes[k].mf->checksum : NULL,
	    appl ? "resolved: applied" : "resolved: rolled back", &err) ==
	    OP_WAIT)
		return;
fail:
	op_finish(req, NULL, &err);
	merr_clear(&err);
}

static int
op_resolve_exec(struct req *req, json_t **result, struct merr *err)
{
	const char *rev = NULL, *as = NULL;
	int r;

	if ((r = proto_arg_string(req->args, "revision", true, &rev, err)) < 0 ||
	    (r = proto_arg_string(req->args, "as", true, &as, err)) < 0)
		return r;
	if (strcmp(as, "applied") != 0 && strcmp(as, "rolled-back") != 0)
		return merr_set(err, MERR_BAD_REQUEST, "argument \"as\" must "
		    "be \"applied\" or \"rolled-back\"");
	return op_fresh(req, op_resolve_fresh, err);
}

static const char *const resolve_args[] = { "revision", "as", NULL };

const struct op_entry op_resolve_entry = {
	.name = "resolve", .flags = OP_AUTH | OP_QUEUED | OP_LEADER,
	.args = resolve_args, .exec = op_resolve_exec,
};

/* ---- reload ---- */

static bool
op_has_rev(const struct revset *rs, const char *id)
{
	return revgraph_find(rs->g, id) >= 0;
}

int
op_reload_now(bool auto_ok, json_t **result, struct merr *err)
{
	struct mdiag_list diags = { 0 };
	struct revset *rs = NULL, *old = D->rs;
	json_t *added, *removed, *changed;
	const struct migfile *mf;
	char *msg = NULL, *line;
	size_t i, len = 0;
	bool auto_up;
	ssize_t k;
	FILE *f;

	if (revset_load(D->cfg.migrations_dir, &rs, &diags) < 0) {
		/* one growing buffer: a copy per error was quadratic */
		if ((f = open_memstream(&msg, &len)) == NULL)
			fatal("open_memstream: out of memory");
		mdiag_sort(&diags);
		fprintf(f, "%zu error(s) in %s; the old set stays loaded",
		    diags.n, D->cfg.migrations_dir);
		for (i = 0; i < diags.n; i++) {
			line = mdiag_format(&diags.v[i]);
			log_error("%s", line);
			fprintf(f, "\n%s", line);
			free(line);
		}
		if (fclose(f) != 0 || msg == NULL)
			fatal("open_memstream: out of memory");
		mdiag_clear(&diags);
		merr_set(err, MERR_MIGRATION_FAILED, "%s", msg);
		free(msg);
		return -EINVAL;
	}
	added = json_array();
	removed = json_array();
	changed = json_array();
	for (i = 0; i < rs->g->n; i++) {
		mf = rs->g->nodes[i].mf;
		k = revgraph_find(old->g, mf->revision);
		if (k < 0)
			json_array_append_new(added, json_string(mf->revision));
		else if (strcmp(old->g->nodes[k].mf->checksum,
		    mf->checksum) != 0)
			json_array_append_new(changed,
			    json_string(mf->revision));
	}
	for (i = 0; i < old->g->n; i++)
		if (!op_has_rev(rs, old->g->nodes[i].id))
			json_array_append_new(removed,
			    json_string(old->g->nodes[i].id));
	log_notice("reloaded %s: %zu revision(s), %zu added, %zu removed, "
	    "%zu changed", D->cfg.migrations_dir, rs->g->n,
	    json_array_size(added), json_array_size(removed),
	    json_array_size(changed));
	D->rs = rs;
	revset_unref(old);
	daemon_trim_soon();
	state_recompute();
	leader_announce();
	/* new files, or a pending revision's file fixed after it failed */
	auto_up = auto_ok && D->cfg.auto_migrate &&
	    (json_array_size(added) > 0 || (json_array_size(changed) > 0 &&
	    D->st.state == RG_BEHIND));
	if (auto_up)
		D->auto_pending = true;
	/* before the auto-migrate, which may reload again and free rs */
	*result = json_pack("{s:I, s:o, s:o, s:o, s:b}", "revisions",
	    (json_int_t)rs->g->n, "added", added, "removed", removed,
	    "changed", changed, "auto_migrate", auto_up);
	daemon_status_changed();
	op_waiters_check();
	return 0;
}

extern const struct op_entry op_reload_entry;

static void
op_reload_data_free(void *p)
{
	json_decref(p);
}

static int
op_reload_exec(struct req *req, json_t **result, struct merr *err)
{
	int r;

	log_op(LOG_LVL_INFO, "reload", NULL, -1, NULL, "reload requested by %s",
	    req->user);
	if ((r = op_reload_now(true, result, err)) < 0)
		return r;
	/* the leader answers once the auto-migrate it started is done */
	if (!json_is_true(json_object_get(*result, "auto_migrate")) ||
	    !leader_is() || !D->read_connected)
		return OP_DONE;
	req->data = *result;
	req->data_free = op_reload_data_free;
	*result = NULL;
	req->flags |= OP_LEADER;	/* fails when the lock goes */
	op_wait_add(req);
	return OP_WAIT;
}

/* The reload's error: the failed auto-migrate's, fields and all. */
static void
op_reload_failed(struct merr *out, const json_t *reloaded,
    const struct merr *err)
{
	char *msg;

	msg = xasprintf("auto-migrate after the reload (%lld revisions): %s",
	    (long long)json_integer_value(json_object_get(reloaded,
	    "revisions")), err->message != NULL ? err->message : "");
	merr_copy(out, err);
	free(out->message);
	out->message = msg;
}

void
op_reload_auto_done(const struct req *ireq, const json_t *result,
    const struct merr *err)
{
	struct req *req, *next;
	struct merr out = { 0 };
	json_t *res;

	if (strcmp(ireq->op->name, "upgrade") != 0)
		return;
	for (req = TAILQ_FIRST(&D->waiters); req != NULL; req = next) {
		next = TAILQ_NEXT(req, entry);
		if (req->op != &op_reload_entry ||
		    req->started_ms > ireq->started_ms)
			continue;
		if (err != NULL && err->code != MERR_NONE) {
			op_reload_failed(&out, req->data, err);
			op_finish(req, NULL, &out);
			merr_clear(&out);
			continue;
		}
		res = json_deep_copy(req->data);
		json_object_set_new(res, "upgrade", result != NULL ?
		    json_deep_copy(result) : json_null());
		op_finish(req, res, NULL);
	}
}

const struct op_entry op_reload_entry = {
	.name = "reload", .flags = OP_AUTH, .args = no_args,
	.exec = op_reload_exec,
};

/* ---- cancel ---- */

static int
op_cancel_exec(struct req *req, json_t **result, struct merr *err)
{
	log_op(LOG_LVL_NOTICE, "cancel", NULL, -1, NULL, "cancel requested "
	    "by %s", req->user);
	return runner_cancel(result) < 0 ? -EIO : OP_DONE;
}

const struct op_entry op_cancel_entry = {
	.name = "cancel", .flags = OP_AUTH | OP_DURING_SHUTDOWN,
	.args = no_args, .exec = op_cancel_exec,
};
