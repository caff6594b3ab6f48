/* SPDX-License-Identifier: MIT */
/* op-upgrade.c: upgrade and downgrade: checks, plan, dry run, run. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "proto.h"
#include "runner-sql.h"

static const char *const plan_args[] = { "target", "sql", "atomic", NULL };

static int
op_plan_flags(const json_t *args)
{
	if (json_is_true(json_object_get(args, "sql")))
		return OP_DURING_SHUTDOWN;	/* a dry run is a read */
	return OP_AUTH | OP_QUEUED | OP_LEADER;
}

/* Refuse what only a person can sort out: dirty, ahead, drift. */
int
op_plan_guard(const struct revset *rs, struct merr *err)
{
	size_t i;

	if (D->st.dirty) {
		merr_set(err, MERR_DIRTY, "the database is dirty: %s of %s did "
		    "not finish (%s); check the schema, then run migratectl "
		    "resolve %s --applied or --rolled-back",
		    json_string_value(json_object_get(D->st.dirty_info,
		    "operation")), json_string_value(json_object_get(
		    D->st.dirty_info, "revision")), json_string_value(
		    json_object_get(D->st.dirty_info, "outcome")),
		    json_string_value(json_object_get(D->st.dirty_info,
		    "revision")));
		err->state = xstrdup("dirty");
		return -EINVAL;
	}
	for (i = 0; i < D->st.nrows; i++)
		if (revgraph_find(rs->g, D->st.rows[i]) < 0) {
			merr_set(err, MERR_REVISION_NOT_FOUND, "the database is "
			    "ahead of the migration files: version %s has no "
			    "file in %s", D->st.rows[i],
			    D->cfg.migrations_dir);
			err->state = xstrdup("ahead");
			return -EINVAL;
		}
	if (json_array_size(D->st.drift) > 0 && !D->cfg.allow_drift) {
		merr_set(err, MERR_DRIFT_DETECTED, "%zu applied revision(s) "
		    "changed since they ran (first: %s); restore the files or "
		    "set allow_drift = true", json_array_size(D->st.drift),
		    json_string_value(json_object_get(json_array_get(
		    D->st.drift, 0), "revision")));
		err->state = xstrdup("drift");
		return -EINVAL;
	}
	return 0;
}

/* Steps the plan may not take: irreversible downgrades, atomic + nt. */
int
op_plan_check(const struct revset *rs, const struct rg_plan *p, bool atomic,
    struct merr *err)
{
	const struct migfile *mf;
	size_t i;

	for (i = 0; i < p->n; i++) {
		mf = rs->g->nodes[p->v[i].rev].mf;
		if (!p->v[i].up && !mf->down_sec.present) {
			merr_set(err, MERR_IRREVERSIBLE, "revision %s (%s) has no "
			    "-- +downgrade section: it cannot be downgraded",
			    mf->revision, mf->path);
			err->revision = xstrdup(mf->revision);
			return -EINVAL;
		}
		if (atomic && !mf->transactional)
			return merr_set(err, MERR_BAD_REQUEST, "--atomic "
			    "cannot include revision %s: it is transactional: "
			    "false", mf->revision);
	}
	return 0;
}

static json_t *
op_plan_steps(const struct rg_plan *p)
{
	json_t *a = json_array();
	const struct migfile *mf;
	size_t i;

	for (i = 0; i < p->n; i++) {
		mf = D->rs->g->nodes[p->v[i].rev].mf;
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}",
		    "revision", mf->revision, "operation", p->v[i].up ?
		    "upgrade" : "downgrade", "transactional",
		    mf->transactional));
	}
	return a;
}

/* text for a -- comment line: control characters would end it */
static void
op_sql_comment(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/*
 * A statement and its terminator. When its last line holds "--", a ';'
 * there could fall inside a comment (psql would then run two statements
 * as one): the ';' goes on a line of its own.
 */
static void
op_sql_stmt(FILE *f, const struct split_stmt *st)
{
	const char *last = memrchr(st->sql, '\n', st->len);

	last = last != NULL ? last + 1 : st->sql;
	fwrite(st->sql, 1, st->len, f);
	fputs(strstr(last, "--") != NULL ? "\n;\n" : ";\n", f);
}

/* One step's version-row change: DELETE rows, INSERT next. */
static void
op_sql_rows(FILE *f, const struct rowset *rows, const struct rowset *next)
{
	size_t j;
	char *lit;

	for (j = 0; j < rows->n; j++) {
		lit = rsql_quote_literal(rows->v[j]);
		fprintf(f, "DELETE FROM %s WHERE version_num = %s;\n", D->vt,
		    lit);
		free(lit);
	}
	for (j = 0; j < next->n; j++) {
		lit = rsql_quote_literal(next->v[j]);
		fprintf(f, "INSERT INTO %s (version_num) VALUES (%s);\n", D->vt,
		    lit);
		free(lit);
	}
}

/*
 * The psql-runnable script of a plan (dry run); *to: the rows it ends at.
 * One growing buffer: 340 revisions of a real project took 10-40 s to
 * render with a copy of the whole text per statement.
 */
static char *
op_plan_sql(const struct rg_plan *p, const struct rowset *from, json_t **to)
{
	struct rowset rows = { 0 }, next = { 0 };
	const struct split_list *sl;
	const struct migfile *mf;
	size_t i, j, *idx, n, *cur, ncur, len = 0;
	bool *applied;
	char *out = NULL;
	FILE *f;

	if ((f = open_memstream(&out, &len)) == NULL)
		fatal("open_memstream: out of memory");
	rowset_from_strs(&rows, from->v, from->n);
	cur = revset_rows_idx(D->rs, rows.v, rows.n, &ncur);
	applied = xcalloc(D->rs->g->n + 1, sizeof *applied);
	revgraph_closure(D->rs->g, cur, ncur, applied);
	free(cur);
	idx = xcalloc(D->rs->g->n + 1, sizeof *idx);
	fprintf(f, "-- migrated %s: %zu step(s)\n\nCREATE TABLE IF NOT "
	    "EXISTS %s (version_num varchar(32) NOT NULL, CONSTRAINT %s "
	    "PRIMARY KEY (version_num));\n", PACKAGE_VERSION, p->n, D->vt,
	    D->vt_pkc);
	for (i = 0; i < p->n; i++) {
		mf = D->rs->g->nodes[p->v[i].rev].mf;
		sl = p->v[i].up ? &mf->up.stmts : &mf->down_sec.stmts;
		applied[p->v[i].rev] = p->v[i].up;
		n = revgraph_rows_of(D->rs->g, applied, idx);
		rowset_from_idx(&next, D->rs, idx, n);
		fprintf(f, "\n-- %s %s: ", p->v[i].up ? "upgrade" :
		    "downgrade", mf->revision);
		op_sql_comment(f, mf->message);
		fputs(" (", f);
		op_sql_comment(f, mf->path);
		fprintf(f, ")\n%s", mf->transactional ? "BEGIN;\n" : "");
		for (j = 0; j < sl->n; j++)
			op_sql_stmt(f, &sl->v[j]);
		op_sql_rows(f, &rows, &next);
		if (mf->transactional)
			fputs("COMMIT;\n", f);
		rowset_clear(&rows);
		rows = next;
		memset(&next, 0, sizeof next);
	}
	if (fclose(f) != 0 || out == NULL)
		fatal("open_memstream: out of memory");
	*to = rowset_json(&rows);
	rowset_clear(&rows);
	free(idx);
	free(applied);
	return out;
}


/*
 * Auto-migrate (skip_empty, set by the daemon only) stops before a revision
 * whose upgrade section is still empty: applying it would make writing it
 * later drift (issue 10 item 4).
 */
void
op_plan_skip_empty(const struct req *req, const struct revset *rs,
    struct rg_plan *plan)
{
	const struct rg_node *nd;
	size_t first, cut;

	if (req->conn != NULL || !json_is_true(json_object_get(req->args,
	    "skip_empty")))
		return;
	if ((cut = revgraph_plan_stop_empty(rs->g, plan, &first)) == 0)
		return;
	nd = &rs->g->nodes[first];
	log_op(LOG_LVL_WARN, req->op->name, nd->id, -1, NULL, "auto-migrate "
	    "stops before %s: its upgrade section is empty (%s); %zu step(s) "
	    "left for later", nd->id, nd->mf->path, cut);
}

/* Fresh state in hand: resolve, plan, check, then dry-run or run. */
static void
op_plan_fresh(void *arg, bool ok)
{
	struct req *req = arg;
	struct merr err = { 0 };
	struct rg_plan plan = { 0 };
	struct runner_opts o = { 0 };
	struct rowset from = { 0 };
	const char *target = NULL;
	bool sql = false, atomic = false, up;
	size_t *cur = NULL, ncur, *t = NULL, nt = 0;
	json_t *result, *to;
	char *text;

	up = strcmp(req->op->name, "upgrade") == 0;
	MIG_IGNORE(proto_arg_string(req->args, "target", false, &target, &err));
	MIG_IGNORE(proto_arg_bool(req->args, "sql", &sql, &err));
	MIG_IGNORE(proto_arg_bool(req->args, "atomic", &atomic, &err));
	atomic = up && (atomic || D->cfg.transaction_mode == TXN_ALL);
	if (target == NULL)
		target = "head";
	if (!ok) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "database unreachable: %s",
		    D->read_error ? D->read_error : "refresh failed");
		goto fail;
	}
	if (!sql && !leader_is()) {
		merr_set(&err, MERR_NOT_LEADER, "this daemon is not the "
		    "leader");
		goto fail;
	}
	if (op_plan_guard(D->rs, &err) < 0)
		goto fail;
	cur = state_rows_idx(&ncur);
	if (revgraph_resolve(D->rs->g, target, cur, ncur, &t, &nt, &err) < 0 ||
	    revgraph_check_target(D->rs->g, up, target, cur, ncur, t, nt,
	    &err) < 0 ||
	    revgraph_plan(D->rs->g, up, cur, ncur, t, nt, &plan, &err) < 0)
		goto fail;
	op_plan_skip_empty(req, D->rs, &plan);
	if (op_plan_check(D->rs, &plan, atomic, &err) < 0)
		goto fail;
	rowset_from_strs(&from, D->st.rows, D->st.nrows);
	if (sql) {
		text = op_plan_sql(&plan, &from, &to);
		result = json_pack("{s:o, s:o, s:o, s:s}", "from",
		    rowset_json(&from), "to", to, "steps",
		    op_plan_steps(&plan), "sql", text);
		free(text);
		op_finish(req, result, NULL);
	} else if (plan.n == 0) {
		op_finish(req, json_pack("{s:o, s:o, s:[]}", "from",
		    rowset_json(&from), "to", rowset_json(&from), "steps"),
		    NULL);
	} else {
		o.up = up;
		o.atomic = atomic;
		o.requested_by = req->user;
		o.target = t;
		o.ntarget = nt;
		lintrun_start(req, D->rs, &plan, &o);
	}
	rowset_clear(&from);
	rg_plan_clear(&plan);
	free(cur);
	free(t);
	return;
fail:
	rg_plan_clear(&plan);
	free(cur);
	free(t);
	op_finish(req, NULL, &err);
	merr_clear(&err);
}

static int
op_plan_exec(struct req *req, json_t **result, struct merr *err)
{
	const char *target = NULL;
	bool b = false;
	int r;

	if ((r = proto_arg_string(req->args, "target",
	    strcmp(req->op->name, "downgrade") == 0, &target, err)) < 0 ||
	    (r = proto_arg_bool(req->args, "sql", &b, err)) < 0 ||
	    (r = proto_arg_bool(req->args, "atomic", &b, err)) < 0)
		return r;
	if (!D->read_connected)
		return merr_set(err, MERR_DB_UNAVAILABLE, "database "
		    "unreachable: %s", D->read_error ? D->read_error : "");
	/* one round trip when nothing announced a change (issue 13) */
	state_rows_then(op_plan_fresh, req);
	return OP_WAIT;
}

const struct op_entry op_upgrade_entry = {
	.name = "upgrade", .flags = OP_AUTH | OP_QUEUED | OP_LEADER,
	.args = plan_args, .flags_of = op_plan_flags, .exec = op_plan_exec,
};

const struct op_entry op_downgrade_entry = {
	.name = "downgrade", .flags = OP_AUTH | OP_QUEUED | OP_LEADER,
	.args = plan_args, .flags_of = op_plan_flags, .exec = op_plan_exec,
};
