/* SPDX-License-Identifier: MIT */
/* fuzz-spec.c: libFuzzer target for revision specifiers and plans. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "merr.h"
#include "migfile.h"
#include "revgraph.h"
#include "xmalloc.h"


/*
 * Two fixed graphs: one with a single head (branches a/b, b2 depending
 * on a1, merged by m, then n) and the same with two more heads (c1 off
 * r, and a second root d1 depending on b2). Labels: trunk, feat, fix,
 * other. Ids share 4-character prefixes in places.
 */
static const struct {
	const char *id, *down, *deps, *label;
	bool wide;		/* only in the second graph */
} fuzz_revs[] = {
	{ "r000aaaa", NULL, NULL, "trunk", false },
	{ "a1aa0001", "r000aaaa", NULL, "feat", false },
	{ "a2aa0002", "a1aa0001", NULL, NULL, false },
	{ "b1bb0001", "r000aaaa", NULL, "fix", false },
	{ "b2bb0002", "b1bb0001", "a1aa0001", NULL, false },
	{ "m0cc0001", "a2aa0002", NULL, NULL, false },	/* + b2bb0002 */
	{ "n0cc0002", "m0cc0001", NULL, NULL, false },
	{ "c1dd0001", "r000aaaa", NULL, NULL, true },
	{ "d1dd0002", NULL, "b2bb0002", "other", true },
};

struct fuzz_graph {
	struct migset set;
	struct revgraph *g;
};

static struct fuzz_graph fuzz_graphs[2];

static char **
fuzz_one(const char *s, size_t *n)
{
	char **v;

	*n = s != NULL;
	if (s == NULL)
		return NULL;
	v = xcalloc(2, sizeof *v);
	v[0] = xstrdup(s);
	return v;
}

static void
fuzz_init_graph(struct fuzz_graph *fg, bool wide)
{
	struct mdiag_list d = { 0 };
	struct migfile *mf;
	size_t i;

	for (i = 0; i < ARRAY_LEN(fuzz_revs); i++) {
		if (fuzz_revs[i].wide && !wide)
			continue;
		mf = xcalloc(1, sizeof *mf);
		mf->revision = xstrdup(fuzz_revs[i].id);
		mf->path = xasprintf("%s.sql", fuzz_revs[i].id);
		mf->name = xstrdup(mf->path);
		mf->down = fuzz_one(fuzz_revs[i].down, &mf->ndown);
		mf->depends_on = fuzz_one(fuzz_revs[i].deps, &mf->ndepends);
		mf->branch_labels = fuzz_one(fuzz_revs[i].label, &mf->nlabels);
		if (strcmp(mf->revision, "m0cc0001") == 0)
			mf->down[mf->ndown++] = xstrdup("b2bb0002");
		fg->set.v = xreallocarray(fg->set.v, fg->set.n + 1,
		    sizeof *fg->set.v);
		fg->set.v[fg->set.n++] = mf;
	}
	if (revgraph_build(&fg->set, &fg->g, &d) != 0)
		abort();
}

/* ---- invariants ---- */

static void
fuzz_check_up(const struct revgraph *g, const size_t *cur, size_t ncur,
    const size_t *t, size_t nt, const struct rg_plan *p)
{
	bool *applied = xcalloc(g->n, sizeof *applied);
	bool *need = xcalloc(g->n, sizeof *need);
	const struct rg_node *nd;
	size_t i, k;

	revgraph_closure(g, cur, ncur, applied);
	for (i = 0; i < p->n; i++) {
		nd = &g->nodes[p->v[i].rev];
		if (!p->v[i].up || applied[p->v[i].rev])
			abort();
		/* Parents and dependencies come first. */
		for (k = 0; k < nd->nparents; k++)
			if (!applied[nd->parents[k]])
				abort();
		for (k = 0; k < nd->ndeps; k++)
			if (!applied[nd->deps[k]])
				abort();
		applied[p->v[i].rev] = true;
	}
	revgraph_closure(g, t, nt, need);
	for (i = 0; i < g->n; i++)
		if (need[i] && !applied[i])
			abort();
	free(applied);
	free(need);
}

static void
fuzz_check_down(const struct revgraph *g, const size_t *cur, size_t ncur,
    const size_t *t, size_t nt, const struct rg_plan *p)
{
	bool *applied = xcalloc(g->n, sizeof *applied);
	bool *need = xcalloc(g->n, sizeof *need);
	const struct rg_node *nd;
	size_t i, k;

	revgraph_closure(g, cur, ncur, applied);
	for (i = 0; i < p->n; i++) {
		nd = &g->nodes[p->v[i].rev];
		if (p->v[i].up || !applied[p->v[i].rev])
			abort();
		/* Nothing applied may still need what is removed. */
		for (k = 0; k < nd->nchildren; k++)
			if (applied[nd->children[k]])
				abort();
		for (k = 0; k < nd->ndependents; k++)
			if (applied[nd->dependents[k]])
				abort();
		applied[p->v[i].rev] = false;
	}
	revgraph_closure(g, t, nt, need);
	for (i = 0; i < g->n; i++)
		if (need[i] && !applied[i])
			abort();
	free(applied);
	free(need);
}

static void
fuzz_check_err(const struct merr *e)
{
	if (e->code == MERR_NONE || e->message == NULL)
		abort();
}

static void
fuzz_resolve(const struct revgraph *g, const char *spec, const size_t *cur,
    size_t ncur)
{
	struct rg_plan p = { 0 };
	struct merr e = { 0 };
	size_t *t = NULL, nt = 0, i;

	if (revgraph_resolve(g, spec, cur, ncur, &t, &nt, &e) != 0) {
		fuzz_check_err(&e);
		merr_clear(&e);
		return;
	}
	if (nt > g->n)
		abort();
	for (i = 0; i < nt; i++)
		if (t[i] >= g->n)
			abort();
	if (revgraph_plan(g, true, cur, ncur, t, nt, &p, &e) != 0)
		abort();
	fuzz_check_up(g, cur, ncur, t, nt, &p);
	rg_plan_clear(&p);
	if (revgraph_plan(g, false, cur, ncur, t, nt, &p, &e) == 0) {
		fuzz_check_down(g, cur, ncur, t, nt, &p);
		rg_plan_clear(&p);
	} else {
		fuzz_check_err(&e);
		merr_clear(&e);
	}
	free(t);
}

/* The input split at ',' as version rows. */
static void
fuzz_state(const struct revgraph *g, char *buf)
{
	const char *rows[8];
	size_t n = 0;
	char *p, *save = NULL;
	enum rg_state st;

	for (p = strtok_r(buf, ",", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, ",", &save))
		rows[n++] = p;
	st = revgraph_state(g, rows, n);
	if (st != RG_AHEAD && st != RG_CURRENT && st != RG_BEHIND &&
	    st != RG_DIVERGED)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const curs[][2] = {
		{ NULL, NULL },
		{ "n0cc0002", NULL },
		{ "a2aa0002", NULL },
		{ "a2aa0002", "b2bb0002" },
		{ "n0cc0002", "c1dd0001" },
		{ "b1bb0001", "d1dd0002" },
	};
	struct fuzz_graph *fg;
	struct merr e = { 0 };
	size_t cur[2], ncur, i, j, x;
	ssize_t k;
	char *spec;

	if (fuzz_graphs[0].g == NULL) {
		fuzz_init_graph(&fuzz_graphs[0], false);
		fuzz_init_graph(&fuzz_graphs[1], true);
	}
	if (size > 4096)
		return 0;
	spec = xmemdup(data, size);	/* NUL-terminated copy */
	for (i = 0; i < ARRAY_LEN(fuzz_graphs); i++) {
		fg = &fuzz_graphs[i];
		for (j = 0; j < ARRAY_LEN(curs); j++) {
			for (ncur = 0; ncur < 2 && curs[j][ncur]; ncur++) {
				if ((k = revgraph_find(fg->g,
				    curs[j][ncur])) < 0)
					break;
				cur[ncur] = (size_t)k;
			}
			if (ncur < 2 && curs[j][ncur] != NULL)
				continue;	/* not in this graph */
			fuzz_resolve(fg->g, spec, cur, ncur);
		}
		if (revgraph_lookup(fg->g, spec, &x, &e) == 0) {
			if (x >= fg->g->n)
				abort();
		} else
			fuzz_check_err(&e);
		merr_clear(&e);
		(void)revgraph_find_label(fg->g, spec);
	}
	fuzz_state(fuzz_graphs[1].g, spec);
	free(spec);
	return 0;
}
