/* SPDX-License-Identifier: MIT */
/* lint-run.c: lint a plan before it runs; report who blocks a step. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "lint.h"
#include "log.h"

/*
 * SPEC §9, doc/lint.md §8. After an upgrade or downgrade is planned (not a
 * dry run), with lint = warn or refuse: the references of the plan's
 * sections are collected, the catalog facts are read on the read session
 * (asynchronously), the sections are linted, and then the plan runs (warn:
 * each finding logged and sent as a "lint" event) or is refused
 * (lint_refused). The CPU work is cut into slices of LINTRUN_SLICE
 * statements, one per turn of the event loop, so requests are answered
 * meanwhile. The ACCESS EXCLUSIVE tables of each step are kept for the
 * blockers report of lintrun_step_started(), which SPEC §9 does not tie to
 * the lint setting: with lint = off the sections are still parsed for it,
 * without the catalog facts, and the findings are dropped.
 */

#define LINTRUN_SLICE 200	/* statements per event-loop turn */
/* Parse trees kept from the references pass for the lint (4 KiB for a
 * CREATE TABLE): beyond this, statements are parsed again. */
#define LINTRUN_TREES (8 * 1024 * 1024)
#define LINTRUN_BLOCKERS 20	/* sessions reported per step */

enum lintrun_phase { LR_REFS, LR_FACTS, LR_LINT, LR_DONE };

struct lintrun {
	struct req *req;
	struct revset *rs;
	struct rg_plan plan;
	struct runner_opts o;
	char *requested_by;
	size_t *target;
	enum lintrun_phase phase;
	size_t step;		/* cursor: the step being linted */
	size_t stmt, nstmts;	/* and its statement; nstmts 0: not begun */
	struct lint_refs *refs;
	struct lint_trees *trees;	/* made by the refs, read by the lint */
	struct lint_facts *facts;
	struct lint *l;
	struct event *ev;
	json_t *locks;		/* per step: [["schema.table", ...], ...] */
	bool off;		/* lint = off: only the locks are wanted */
};

/* The ACCESS EXCLUSIVE tables of the last plan linted, by revision. */
static json_t *lintrun_locks;
/* The blockers of the running step, for status (null: none seen). */
static json_t *lintrun_blockers;
/* Bumped at each plan and step: an answer for an older one is dropped. */
static unsigned lintrun_gen;

static void lintrun_continue(evutil_socket_t fd, short what, void *arg);

static void
lintrun_free(void *p)
{
	struct lintrun *lr = p;

	if (lr == NULL)
		return;
	if (lr->ev != NULL)
		event_free(lr->ev);
	lint_free(lr->l);
	lint_trees_free(lr->trees);
	lint_facts_free(lr->facts);
	lint_refs_free(lr->refs);
	json_decref(lr->locks);
	rg_plan_clear(&lr->plan);
	revset_unref(lr->rs);
	free(lr->requested_by);
	free(lr->target);
	free(lr);
}

static const struct migfile *
lintrun_mf(const struct lintrun *lr, size_t i)
{
	return lr->rs->g->nodes[lr->plan.v[i].rev].mf;
}

static void
lintrun_later(struct lintrun *lr)
{
	event_active(lr->ev, EV_TIMEOUT, 0);
}

/* Hand the plan to the runner; lr dies with the request's data. */
static void
lintrun_run(struct lintrun *lr)
{
	struct req *req = lr->req;
	struct rg_plan plan = lr->plan;
	struct runner_opts o = lr->o;
	struct revset *rs = revset_ref(lr->rs);
	struct merr err = { 0 };

	memset(&lr->plan, 0, sizeof lr->plan);
	o.requested_by = lr->requested_by;
	o.target = lr->target;
	if (!leader_is()) {
		merr_set(&err, MERR_NOT_LEADER, "this daemon is not the "
		    "leader");
		rg_plan_clear(&plan);
		revset_unref(rs);
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return;
	}
	runner_start(req, rs, &plan, &o);
	revset_unref(rs);
}

/* Log the findings, send them as one event; refuse on errors. */
static void
lintrun_decide(struct lintrun *lr)
{
	const struct lint_findings *f = lint_results(lr->l);
	const struct lint_finding *first = NULL;
	struct merr err = { 0 };
	json_t *a = json_array();
	size_t i, nerr = lint_count(lr->l, LINT_ERROR);
	char *s;

	for (i = 0; i < f->n && !lr->off; i++) {
		if (f->v[i].suppressed != NULL)
			continue;
		if (first == NULL && f->v[i].sev == LINT_ERROR)
			first = &f->v[i];
		s = lint_format(&f->v[i]);
		log_op(f->v[i].sev == LINT_NOTE ? LOG_LVL_INFO : LOG_LVL_WARN,
		    lr->req->op->name, f->v[i].revision, -1, NULL, "lint: %s",
		    s);
		free(s);
		json_array_append_new(a, lint_finding_json(&f->v[i]));
	}
	json_decref(lintrun_locks);
	lintrun_locks = json_incref(lr->locks);
	lintrun_gen++;
	if (json_array_size(a) > 0)
		op_event(lr->req, "lint", json_pack("{s:o}", "findings", a));
	else
		json_decref(a);
	if (!lr->off && D->cfg.lint == LINT_MODE_REFUSE && nerr > 0) {
		merr_set(&err, MERR_LINT_REFUSED, "lint refused the plan: %zu "
		    "error%s, the first %s:%d:%d %s: %s (allow it in the "
		    "revision with -- lint_allow: %s REASON, or set lint = "
		    "warn)", nerr, nerr == 1 ? "" : "s", first->file,
		    first->line, first->col, first->rule->id, first->msg,
		    first->rule->id);
		err.revision = xstrdup(first->revision);
		err.file = xstrdup(first->file);
		err.line = first->line;
	}
	lint_free(lr->l);	/* the findings are sent: free them now */
	lr->l = NULL;
	lint_trees_free(lr->trees);
	lr->trees = NULL;
	if (err.code == MERR_NONE) {
		lintrun_run(lr);
		return;
	}
	op_finish(lr->req, NULL, &err);
	merr_clear(&err);
}

static void
lintrun_on_facts(struct db *db, const struct db_result *r, void *arg)
{
	struct req *req = arg;
	struct lintrun *lr = req->data;
	char *why = NULL;

	if (r->failed >= 0 || r->conn_lost || r->res[0] == NULL ||
	    PQntuples(r->res[0]) != 1)
		log_warn("lint: cannot read the catalog facts (%s), linting "
		    "without them", r->conn_lost ? r->conn_error :
		    r->err != NULL ? PQresultErrorMessage(r->err) : "no row");
	else if (lint_facts_parse(PQgetvalue(r->res[0], 0, 0), &lr->facts,
	    &why) < 0) {
		log_warn("lint: %s, linting without them", why);
		free(why);
	}
	lr->phase = LR_LINT;
	lintrun_later(lr);
}

/* Collect the references of a slice of the plan; then ask for facts. */
static void
lintrun_refs(struct lintrun *lr)
{
	const struct migfile *mf;
	const struct migfile_section *sec;
	size_t done = 0;
	char *param;
	const char *params[1];

	while (lr->step < lr->plan.n && done < LINTRUN_SLICE) {
		mf = lintrun_mf(lr, lr->step);
		sec = lr->plan.v[lr->step].up ? &mf->up : &mf->down_sec;
		lint_refs_section(lr->refs, mf, lr->plan.v[lr->step].up,
		    lr->trees);
		done += sec->stmts.n + 1;
		lr->step++;
	}
	if (lr->step < lr->plan.n) {
		lintrun_later(lr);
		return;
	}
	lr->step = 0;
	lr->phase = LR_FACTS;
	param = lint_refs_param(lr->refs);
	params[0] = param;
	if (state_query(lint_facts_sql, 1, params, lintrun_on_facts,
	    lr->req) < 0) {
		log_warn("lint: read session down, linting without the "
		    "catalog");
		lr->phase = LR_LINT;
		lintrun_later(lr);
	}
	free(param);
}

static json_t *
lintrun_section_locks(const struct lint *l)
{
	const char *const *v;
	json_t *a = json_array();
	size_t i, n;

	v = lint_section_locks(l, &n);
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* Lint a slice of statements; at the end, decide. */
static void
lintrun_lint(struct lintrun *lr)
{
	struct lint_opts o = { 0 };
	size_t done = 0;

	if (lr->l == NULL) {
		o.atomic = lr->o.atomic;
		o.facts = lr->facts;
		o.trees = lr->trees;
		o.keep_unused_allows = true;
		lr->l = lint_new(&o);
	}
	while (lr->step < lr->plan.n && done < LINTRUN_SLICE) {
		if (lr->nstmts == 0 && lr->stmt == 0)
			lr->nstmts = lint_section_begin(lr->l, lintrun_mf(lr,
			    lr->step), lr->plan.v[lr->step].up, true) + 1;
		for (; lr->stmt + 1 < lr->nstmts && done < LINTRUN_SLICE;
		    lr->stmt++, done++)
			lint_stmt(lr->l, lr->stmt);
		if (lr->stmt + 1 < lr->nstmts)
			break;
		lint_section_end(lr->l);
		json_object_set_new(lr->locks, lintrun_mf(lr,
		    lr->step)->revision, lintrun_section_locks(lr->l));
		lr->step++;
		lr->stmt = lr->nstmts = 0;
		done++;
	}
	if (lr->step < lr->plan.n) {
		lintrun_later(lr);
		return;
	}
	lr->phase = LR_DONE;
	lintrun_decide(lr);
}

static void
lintrun_continue(evutil_socket_t fd, short what, void *arg)
{
	struct lintrun *lr = arg;

	if (lr->phase == LR_REFS)
		lintrun_refs(lr);
	else if (lr->phase == LR_LINT)
		lintrun_lint(lr);
}

void
lintrun_start(struct req *req, struct revset *rs, struct rg_plan *plan,
    const struct runner_opts *o)
{
	struct lintrun *lr;

	lr = xcalloc(1, sizeof *lr);
	lr->req = req;
	lr->rs = revset_ref(rs);
	lr->plan = *plan;
	memset(plan, 0, sizeof *plan);
	lr->o = *o;
	lr->requested_by = o->requested_by != NULL ?
	    xstrdup(o->requested_by) : NULL;
	lr->target = xcalloc(o->ntarget + 1, sizeof *lr->target);
	if (o->ntarget > 0)
		memcpy(lr->target, o->target, o->ntarget * sizeof *lr->target);
	lr->refs = lint_refs_new();
	lr->trees = lint_trees_new(LINTRUN_TREES);
	lr->locks = json_object();
	lr->off = D->cfg.lint == LINT_MODE_OFF;
	if (lr->off)
		lr->phase = LR_LINT;	/* no facts: a table's size is moot */
	if ((lr->ev = event_new(D->base, -1, 0, lintrun_continue, lr)) == NULL)
		fatal("event_new failed");
	req->data = lr;
	req->data_free = lintrun_free;
	lintrun_later(lr);
}

/* ---- blockers (SPEC §9) ---- */

/*
 * Sessions holding a lock on the step's tables in a transaction older than
 * its lock_timeout (their age is null when this role may not read other
 * roles' xact_start: grant pg_read_all_stats to see it).
 */
static const char lintrun_blockers_sql[] =
    "SELECT a.pid, a.application_name, "
    "(extract(epoch FROM now() - a.xact_start) * 1000)::bigint, "
    "l.mode, c.relname FROM pg_catalog.pg_locks l "
    "JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
    "JOIN pg_catalog.pg_class c ON c.oid = l.relation "
    "WHERE l.locktype = 'relation' AND l.granted "
    "AND l.database = (SELECT oid FROM pg_catalog.pg_database "
    "WHERE datname = current_database()) "
    "AND l.relation IN (SELECT pg_catalog.to_regclass(x) "
    "FROM pg_catalog.jsonb_array_elements_text($1::jsonb) AS x) "
    "AND a.pid <> pg_catalog.pg_backend_pid() AND a.pid <> $2::int "
    "AND (a.xact_start IS NULL OR a.xact_start < now() - $3::interval) "
    "ORDER BY a.xact_start NULLS LAST, a.pid LIMIT 20";

/*
 * The step whose blockers are asked for: the query's argument is only its
 * generation, so that a query the session drops unanswered (at exit) leaves
 * nothing allocated behind.
 */
static struct req *lintrun_ask_req;
static char *lintrun_ask_rev;

static void
lintrun_on_blockers(struct db *db, const struct db_result *r, void *arg)
{
	const char *rev = lintrun_ask_rev;
	const PGresult *res;
	json_t *a;
	int i;

	if ((uintptr_t)arg != lintrun_gen || !runner_busy() ||
	    D->running != lintrun_ask_req)
		return;	/* the step is over */
	if (r->failed >= 0 || r->conn_lost || (res = r->res[0]) == NULL) {
		log_debug("lint: cannot list blockers of %s", rev);
		return;
	}
	if (PQntuples(res) == 0)
		return;
	a = json_array();
	for (i = 0; i < PQntuples(res) && i < LINTRUN_BLOCKERS; i++)
		json_array_append_new(a, json_pack("{s:I, s:s, s:o, s:s, s:s}",
		    "pid", (json_int_t)strtoll(PQgetvalue(res, i, 0), NULL, 10),
		    "application", PQgetvalue(res, i, 1), "age_ms",
		    PQgetisnull(res, i, 2) ? json_null() : json_integer(
		    strtoll(PQgetvalue(res, i, 2), NULL, 10)), "mode",
		    PQgetvalue(res, i, 3), "table", PQgetvalue(res, i, 4)));
	log_op(LOG_LVL_WARN, "upgrade", rev, -1, NULL, "%d "
	    "session(s) hold locks that block its ACCESS EXCLUSIVE lock, "
	    "first pid %s (%s)", PQntuples(res), PQgetvalue(res, 0, 0),
	    PQgetvalue(res, 0, 1));
	json_decref(lintrun_blockers);
	lintrun_blockers = json_incref(a);
	op_event(lintrun_ask_req, "step_blockers", json_pack("{s:s, s:o}",
	    "revision", rev, "blockers", a));
	daemon_status_changed();
}

void
lintrun_step_started(struct req *req, const struct migfile *mf)
{
	const char *params[3];
	json_t *tables;
	char *list, pid[16];

	json_decref(lintrun_blockers);
	lintrun_blockers = NULL;
	lintrun_gen++;
	tables = json_object_get(lintrun_locks, mf->revision);
	if (json_array_size(tables) == 0)
		return;
	list = json_dumps(tables, JSON_COMPACT);
	snprintf(pid, sizeof pid, "%d", leader_backend_pid());
	params[0] = list;
	params[1] = pid;
	params[2] = mf->lock_timeout != NULL ? mf->lock_timeout :
	    mf->transactional ? D->cfg.lock_timeout : "0";
	lintrun_ask_req = req;
	free(lintrun_ask_rev);
	lintrun_ask_rev = xstrdup(mf->revision);
	if (list != NULL)
		MIG_IGNORE(state_query(lintrun_blockers_sql, 3, params,
		    lintrun_on_blockers, (void *)(uintptr_t)lintrun_gen));
	free(list);
}

json_t *
lintrun_blockers_json(void)
{
	return lintrun_blockers != NULL ? json_incref(lintrun_blockers) :
	    json_null();
}
