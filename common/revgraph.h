/* SPDX-License-Identifier: MIT */
/* revgraph.h: revision DAG, heads, specifiers and step plans (SPEC §2). */
#ifndef MIGRATED_REVGRAPH_H
#define MIGRATED_REVGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "merr.h"
#include "migfile.h"

struct rg_node {
	const struct migfile *mf;	/* borrowed from the migset */
	const char *id;			/* == mf->revision */
	size_t *parents;		/* down_revision, in file order */
	size_t nparents;
	size_t *deps;			/* depends_on */
	size_t ndeps;
	size_t *children;		/* revisions naming this as down_revision */
	size_t nchildren;
	size_t topo;			/* rank in g->order */
	size_t *dependents;		/* revisions naming this in depends_on */
	size_t ndependents;
};

struct rg_label {
	const char *name;		/* borrowed from the migfile */
	size_t rev;			/* the revision declaring it */
};

struct revgraph {
	const struct migset *set;	/* borrowed: must outlive the graph */
	struct rg_node *nodes;		/* same index as set->v */
	size_t n;
	size_t *heads;			/* nodes with no children, in topo order */
	size_t nheads;
	size_t *order;			/* topological: parents and deps first;
					   ties broken by file name */
	size_t *byid;			/* indices sorted by id, for prefix search */
	size_t *roots;			/* nodes without parents, in topo order */
	size_t nroots;
	struct rg_label *labels;	/* branch labels sorted by name */
	size_t nlabels;
};

/*
 * Build the graph of set. Unknown parents/dependencies, cycles, duplicate
 * branch labels are added to diags as FILE:LINE (the header line that
 * names the bad reference). Returns 0 and *out, or -EINVAL (no *out).
 * Caller frees with revgraph_free(); set must outlive the graph.
 */
int revgraph_build(const struct migset *set, struct revgraph **out,
    struct mdiag_list *diags) MIG_MUSTCHECK;
void revgraph_free(struct revgraph *g);

/* Index of the revision with exactly this id, or -1. */
ssize_t revgraph_find(const struct revgraph *g, const char *id);
/* Index of the revision declaring branch label name, or -1. */
ssize_t revgraph_find_label(const struct revgraph *g, const char *name);

/*
 * Index of the revision id or unique prefix (>= 4 chars). Errors:
 * revision_not_found, ambiguous_revision (message lists the candidates).
 */
int revgraph_lookup(const struct revgraph *g, const char *idprefix,
    size_t *out, struct merr *err) MIG_MUSTCHECK;

/*
 * Resolve a specifier (SPEC §2): head, heads, base, REV (id or prefix),
 * +N, -N (relative to cur), REV+N, REV-N, head-N, LABEL@head.
 * cur: indices of the current version rows (ncur 0 = base).
 * On success *out is a malloc'd list of revision indices (*nout 0 = base;
 * caller frees). Errors: revision_not_found, ambiguous_revision,
 * multiple_heads, bad_request (malformed specifier).
 */
int revgraph_resolve(const struct revgraph *g, const char *spec,
    const size_t *cur, size_t ncur, size_t **out, size_t *nout,
    struct merr *err) MIG_MUSTCHECK;

/*
 * Mark in applied[0..n) every revision that rows imply is applied:
 * the rows and all their ancestors through parents and depends_on.
 * Entries already true are left true (applied is not cleared first).
 */
void revgraph_closure(const struct revgraph *g, const size_t *rows,
    size_t nrows, bool *applied);

/*
 * The version rows for an applied set: its members that have no child in
 * the set (depends_on does not count), in topo order. Writes at most g->n
 * indices to out; returns the count.
 */
size_t revgraph_rows_of(const struct revgraph *g, const bool *applied,
    size_t *out);
/*
 * revgraph_rows_of() after one mark changed, without a pass over the
 * graph: applied holds the marks after rev's changed, rows[0..nrows) the
 * rows before (revgraph_rows_of() of the marks before). Only rev
 * and its parents can change: writes at most nrows + nparents + 1 indices
 * to out, in topo order; returns the count.
 */
size_t revgraph_rows_step(const struct revgraph *g, const bool *applied,
    const size_t *rows, size_t nrows, size_t rev, size_t *out);

/*
 * Refuse a target that upgrade (up) or downgrade cannot move towards,
 * rather than answer "already there": a bare -N for upgrade or +N for
 * downgrade, +0 / -0, base for upgrade, head / heads / LABEL@head for
 * downgrade, an upgrade target the database is past (applied, not a
 * version row), a downgrade target that is not applied. target is what
 * revgraph_resolve() gave for spec against cur. Returns 0, or -EINVAL
 * with a bad_request err whose hint names the other command.
 */
int revgraph_check_target(const struct revgraph *g, bool up,
    const char *spec, const size_t *cur, size_t ncur, const size_t *target,
    size_t ntarget, struct merr *err) MIG_MUSTCHECK;

struct rg_step {
	size_t rev;
	bool up;		/* true: upgrade this revision; false: downgrade */
};

struct rg_plan {
	struct rg_step *v;
	size_t n;
};

/*
 * Steps from the state given by cur (current version rows) to target.
 * up: every ancestor-or-self of target (parents and depends_on) not yet
 * applied, in topological order; a target already applied is 0 steps.
 * down: every applied revision that descends (through children or
 * dependents) from a child of a target member, ancestors-or-self of the
 * target excluded (a dependent of the target itself stays, as in
 * Alembic), or every applied revision for base; children first. A downgrade target that is not
 * applied is revision_not_found. Irreversibility is not checked here.
 * Returns 0 and fills out (caller frees with rg_plan_clear()).
 */
int revgraph_plan(const struct revgraph *g, bool up, const size_t *cur,
    size_t ncur, const size_t *target, size_t ntarget, struct rg_plan *out,
    struct merr *err) MIG_MUSTCHECK;
void rg_plan_clear(struct rg_plan *p);

/*
 * Is revision i one auto-migrate must not apply yet: not a merge, and its
 * upgrade section holds no statement (a new file still to be written)?
 */
bool revgraph_is_empty(const struct revgraph *g, size_t i);
/*
 * Cut an upgrade plan short of every empty revision (revgraph_is_empty)
 * and of every step that needs one (through parents or depends_on): what
 * is left stays in order and needs nothing that was cut. Returns how many
 * steps were cut; *first (if not NULL) is the first empty one cut.
 */
size_t revgraph_plan_stop_empty(const struct revgraph *g, struct rg_plan *p,
    size_t *first);

enum rg_state {
	RG_UNKNOWN,	/* database not read yet */
	RG_DIRTY,	/* a non-transactional step did not finish */
	RG_AHEAD,	/* a version row has no file */
	RG_CURRENT,	/* the rows are exactly the heads */
	RG_BEHIND,	/* every row is an ancestor of a head, not current */
	RG_DIVERGED,	/* anything else (e.g. one row an ancestor of another) */
};

/* "unknown", "dirty", ... */
const char *rg_state_name(enum rg_state s);

/*
 * State of the version rows (strings from the database) measured against
 * the heads; never returns RG_UNKNOWN or RG_DIRTY (the caller knows those).
 * ahead: a row names no revision; diverged: a row repeats or is an
 * ancestor (through down_revision) of another row; current: nothing is
 * left to apply (the rows are the heads, or imply every revision through
 * depends_on); behind: anything else. No rows: current only if the
 * graph is empty.
 */
enum rg_state revgraph_state(const struct revgraph *g,
    const char *const *rows, size_t nrows);

#endif
