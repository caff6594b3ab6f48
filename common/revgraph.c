/* SPDX-License-Identifier: MIT */
/* revgraph.c: building the revision DAG: edges, labels, order, cycles. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revgraph.h"
#include "revgraph-int.h"

/* ---- building ---- */

struct rg_idkey {
	const char *id;
	size_t idx;
};

static int
rg_idkey_cmp(const void *a, const void *b)
{
	const struct rg_idkey *x = a, *y = b;
	int c;

	if ((c = strcmp(x->id, y->id)) != 0)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Fill g->byid; duplicate ids (normally caught by migset_load) are errors. */
static void
rg_build_index(struct revgraph *g, struct mdiag_list *diags)
{
	struct rg_idkey *k = xcalloc(g->n, sizeof *k);
	const struct migfile *mf;
	size_t i, first = 0;

	for (i = 0; i < g->n; i++) {
		k[i].id = g->nodes[i].id;
		k[i].idx = i;
	}
	qsort(k, g->n, sizeof *k, rg_idkey_cmp);
	g->byid = xcalloc(g->n, sizeof *g->byid);
	for (i = 0; i < g->n; i++) {
		g->byid[i] = k[i].idx;
		if (i == 0 || strcmp(k[i].id, k[first].id) != 0) {
			first = i;
			continue;
		}
		mf = g->nodes[k[i].idx].mf;
		mdiag_add(diags, mf->path, mf->revision_line,
		    "duplicate revision %s (also in %s)", k[i].id,
		    g->nodes[k[first].idx].mf->path);
	}
	free(k);
}

/*
 * Resolve the names of one header list into idx (at most nnames entries);
 * depends_on may also name a branch label (as in Alembic). Unknown names
 * and repeats are reported at line. seen/stamp detect repeats in O(1).
 * Returns the count.
 */
static size_t
rg_resolve_list(const struct revgraph *g, const struct migfile *mf,
    char *const *names, size_t nnames, const char *key, int line,
    size_t *seen, size_t stamp, size_t *idx, struct mdiag_list *diags)
{
	bool labels = strcmp(key, "depends_on") == 0;
	size_t j, n = 0;
	ssize_t p;

	for (j = 0; j < nnames; j++) {
		p = revgraph_find(g, names[j]);
		if (p < 0 && labels)
			p = revgraph_find_label(g, names[j]);
		if (p < 0 && migset_failed_has(g->set, names[j]))
			continue;	/* its file's own errors are reported */
		if (p < 0) {
			mdiag_add(diags, mf->path, line, "unknown %s %s", key,
			    names[j]);
			continue;
		}
		if (seen[p] == stamp) {
			mdiag_add(diags, mf->path, line, "%s names %s twice",
			    key, names[j]);
			continue;
		}
		seen[p] = stamp;
		idx[n++] = (size_t)p;
	}
	return n;
}

/* Fill parents, deps, then children and dependents (by index order). */
static void
rg_build_edges(struct revgraph *g, struct mdiag_list *diags)
{
	size_t *seen = xcalloc(g->n, sizeof *seen);
	size_t *nch = xcalloc(g->n, sizeof *nch);
	size_t *ndp = xcalloc(g->n, sizeof *ndp);
	struct rg_node *nd, *p;
	const struct migfile *mf;
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		nd = &g->nodes[i];
		mf = nd->mf;
		nd->parents = xcalloc(mf->ndown, sizeof *nd->parents);
		nd->nparents = rg_resolve_list(g, mf, mf->down, mf->ndown,
		    "down_revision", mf->down_line, seen, 2 * i + 1,
		    nd->parents, diags);
		nd->deps = xcalloc(mf->ndepends, sizeof *nd->deps);
		nd->ndeps = rg_resolve_list(g, mf, mf->depends_on,
		    mf->ndepends, "depends_on", mf->depends_line, seen,
		    2 * i + 2, nd->deps, diags);
		for (k = 0; k < nd->nparents; k++)
			nch[nd->parents[k]]++;
		for (k = 0; k < nd->ndeps; k++)
			ndp[nd->deps[k]]++;
	}
	for (i = 0; i < g->n; i++) {
		g->nodes[i].children = xcalloc(nch[i], sizeof(size_t));
		g->nodes[i].dependents = xcalloc(ndp[i], sizeof(size_t));
	}
	for (i = 0; i < g->n; i++) {
		nd = &g->nodes[i];
		for (k = 0; k < nd->nparents; k++) {
			p = &g->nodes[nd->parents[k]];
			p->children[p->nchildren++] = i;
		}
		for (k = 0; k < nd->ndeps; k++) {
			p = &g->nodes[nd->deps[k]];
			p->dependents[p->ndependents++] = i;
		}
	}
	free(seen);
	free(nch);
	free(ndp);
}

struct rg_labkey {
	const char *name;
	size_t rev;
	size_t pos;		/* position in the revision's own list */
};

static int
rg_labkey_cmp(const void *a, const void *b)
{
	const struct rg_labkey *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	if (x->rev != y->rev)
		return x->rev < y->rev ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Collect branch labels into g->labels; report duplicates and clashes. */
static void
rg_build_labels(struct revgraph *g, struct mdiag_list *diags)
{
	struct rg_labkey *k;
	const struct migfile *mf;
	size_t i, j, n = 0, first = 0;

	for (i = 0; i < g->n; i++)
		n += g->nodes[i].mf->nlabels;
	k = xcalloc(n, sizeof *k);
	n = 0;
	for (i = 0; i < g->n; i++) {
		mf = g->nodes[i].mf;
		for (j = 0; j < mf->nlabels; j++) {
			k[n].name = mf->branch_labels[j];
			k[n].rev = i;
			k[n++].pos = j;
		}
	}
	qsort(k, n, sizeof *k, rg_labkey_cmp);
	g->labels = xcalloc(n, sizeof *g->labels);
	for (i = 0; i < n; i++) {
		mf = g->nodes[k[i].rev].mf;
		if (i > 0 && strcmp(k[i].name, k[first].name) == 0) {
			if (k[i].rev == k[i - 1].rev)
				mdiag_add(diags, mf->path, mf->labels_line,
				    "branch label %s is listed twice",
				    k[i].name);
			else
				mdiag_add(diags, mf->path, mf->labels_line,
				    "duplicate branch label %s (also in %s)",
				    k[i].name, g->nodes[k[first].rev].mf->path);
			continue;
		}
		first = i;
		if (*k[i].name == '\0' || strchr(k[i].name, '@') != NULL ||
		    rg_is_reserved(k[i].name))
			mdiag_add(diags, mf->path, mf->labels_line,
			    "invalid branch label '%s'", k[i].name);
		else if (revgraph_find(g, k[i].name) >= 0)
			mdiag_add(diags, mf->path, mf->labels_line,
			    "branch label %s is also a revision id", k[i].name);
		g->labels[g->nlabels].name = k[i].name;
		g->labels[g->nlabels++].rev = k[i].rev;
	}
	free(k);
}

/* Binary min-heap of indices, for Kahn's algorithm with ordered ties. */
static void
rg_heap_push(size_t *h, size_t *n, size_t x)
{
	size_t i = (*n)++, p;

	while (i > 0 && h[p = (i - 1) / 2] > x) {
		h[i] = h[p];
		i = p;
	}
	h[i] = x;
}

static size_t
rg_heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], x = h[--(*n)], i = 0, c;

	while ((c = 2 * i + 1) < *n) {
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= x)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n > 0)
		h[i] = x;
	return top;
}

/*
 * Kahn's algorithm, smallest index first. Returns how many nodes were
 * ordered; those left have indeg[] > 0 (on or below a cycle).
 */
static size_t
rg_toposort(struct revgraph *g, size_t *indeg)
{
	size_t *heap = xcalloc(g->n, sizeof *heap);
	size_t nheap = 0, i, k, x, c, done = 0;
	const struct rg_node *nd;

	g->order = xcalloc(g->n, sizeof *g->order);
	for (i = 0; i < g->n; i++)
		if ((indeg[i] = rg_nedges(&g->nodes[i], RG_UP)) == 0)
			rg_heap_push(heap, &nheap, i);
	while (nheap > 0) {
		x = rg_heap_pop(heap, &nheap);
		g->nodes[x].topo = done;
		g->order[done++] = x;
		nd = &g->nodes[x];
		for (k = 0; k < rg_nedges(nd, RG_DOWN); k++)
			if (--indeg[c = rg_edge(nd, RG_DOWN, k)] == 0)
				rg_heap_push(heap, &nheap, c);
	}
	free(heap);
	return done;
}

/*
 * Strongly connected components of the nodes with live[] set, following
 * up edges (iterative Tarjan). comp[x] is a component number for live
 * nodes; returns the number of components.
 */
static size_t
rg_scc(const struct revgraph *g, const size_t *live, size_t *comp)
{
	size_t *idx = xcalloc(g->n, sizeof *idx);	/* 0 = unvisited */
	size_t *low = xcalloc(g->n, sizeof *low);
	size_t *edge = xcalloc(g->n, sizeof *edge);
	bool *on = xcalloc(g->n, sizeof *on);
	struct rg_vec stk = { 0 }, call = { 0 };
	size_t s, v, w, counter = 0, ncomp = 0;

	for (s = 0; s < g->n; s++) {
		if (!live[s] || idx[s] != 0)
			continue;
		idx[s] = low[s] = ++counter;
		rg_vec_push(&stk, s);
		on[s] = true;
		rg_vec_push(&call, s);
		while (call.n > 0) {
			v = call.v[call.n - 1];
			if (edge[v] < rg_nedges(&g->nodes[v], RG_UP)) {
				w = rg_edge(&g->nodes[v], RG_UP, edge[v]++);
				if (!live[w])
					continue;
				if (idx[w] == 0) {
					idx[w] = low[w] = ++counter;
					rg_vec_push(&stk, w);
					on[w] = true;
					rg_vec_push(&call, w);
				} else if (on[w] && idx[w] < low[v])
					low[v] = idx[w];
				continue;
			}
			call.n--;
			if (call.n > 0 && low[v] < low[call.v[call.n - 1]])
				low[call.v[call.n - 1]] = low[v];
			if (low[v] != idx[v])
				continue;
			do {
				w = stk.v[--stk.n];
				on[w] = false;
				comp[w] = ncomp;
			} while (w != v);
			ncomp++;
		}
	}
	free(idx);
	free(low);
	free(edge);
	free(on);
	free(stk.v);
	free(call.v);
	return ncomp;
}

/*
 * Shortest cycle through u inside its component (BFS on up edges).
 * Writes the cycle u, x1, ..., xk (closing back to u) to cyc; returns its
 * length, 0 if u is on no cycle.
 */
static size_t
rg_cycle_through(const struct revgraph *g, size_t u, const size_t *comp,
    const size_t *live, size_t *seen, size_t stamp, size_t *prev,
    size_t *queue, size_t *cyc)
{
	const struct rg_node *nd;
	size_t head = 0, tail = 0, v, w, k, len, last = RG_NONE;

	queue[tail++] = u;
	seen[u] = stamp;
	while (head < tail && last == RG_NONE) {
		v = queue[head++];
		nd = &g->nodes[v];
		for (k = 0; k < rg_nedges(nd, RG_UP); k++) {
			w = rg_edge(nd, RG_UP, k);
			if (!live[w] || comp[w] != comp[u])
				continue;
			if (w == u) {
				last = v;
				break;
			}
			if (seen[w] != stamp) {
				seen[w] = stamp;
				prev[w] = v;
				queue[tail++] = w;
			}
		}
	}
	if (last == RG_NONE)
		return 0;
	for (len = 1, v = last; v != u; v = prev[v])
		len++;
	for (k = len, v = last; k > 0; v = prev[v])
		cyc[--k] = v;
	return len;
}

/* Report cyc (length len) once for member r, at the line of its edge. */
static void
rg_cycle_report(const struct revgraph *g, const size_t *cyc, size_t len,
    size_t r, struct mdiag_list *diags)
{
	const struct rg_node *nd = &g->nodes[cyc[r]];
	size_t next = cyc[(r + 1) % len], i, shown;
	char *s = xstrdup("cycle:"), *t;
	int line = nd->mf->depends_line;

	for (i = 0; i < nd->nparents; i++)
		if (nd->parents[i] == next)
			line = nd->mf->down_line;
	shown = len < RG_CYCLE_MAX ? len : RG_CYCLE_MAX - 2;
	for (i = 0; i < shown; i++) {
		t = xasprintf("%s %s ->", s, g->nodes[cyc[(r + i) % len]].id);
		free(s);
		s = t;
	}
	if (shown < len)
		t = xasprintf("%s ... -> %s (%zu revisions)", s, nd->id, len);
	else
		t = xasprintf("%s %s", s, nd->id);
	free(s);
	mdiag_add(diags, nd->mf->path, line, "%s", t);
	free(t);
}

/* Report every revision on a cycle once; live[] marks unordered nodes. */
static void
rg_report_cycles(const struct revgraph *g, const size_t *live,
    struct mdiag_list *diags)
{
	size_t *comp = xcalloc(g->n, sizeof *comp);
	size_t *seen = xcalloc(g->n, sizeof *seen);
	size_t *prev = xcalloc(g->n, sizeof *prev);
	size_t *queue = xcalloc(g->n, sizeof *queue);
	size_t *cyc = xcalloc(g->n, sizeof *cyc);
	bool *done = xcalloc(g->n, sizeof *done);
	size_t u, i, len, stamp = 0;

	(void)rg_scc(g, live, comp);
	for (u = 0; u < g->n; u++) {
		if (!live[u] || done[u])
			continue;
		len = rg_cycle_through(g, u, comp, live, seen, ++stamp, prev,
		    queue, cyc);
		for (i = 0; i < len; i++) {
			if (done[cyc[i]])
				continue;
			done[cyc[i]] = true;
			rg_cycle_report(g, cyc, len, i, diags);
		}
	}
	free(comp);
	free(seen);
	free(prev);
	free(queue);
	free(cyc);
	free(done);
}

/* Order the graph; report cycles. Fills order, topo, heads and roots. */
static void
rg_build_order(struct revgraph *g, struct mdiag_list *diags)
{
	size_t *indeg = xcalloc(g->n, sizeof *indeg);
	size_t i, x;

	if (rg_toposort(g, indeg) < g->n) {
		rg_report_cycles(g, indeg, diags);
		free(indeg);
		return;
	}
	free(indeg);
	g->heads = xcalloc(g->n, sizeof *g->heads);
	g->roots = xcalloc(g->n, sizeof *g->roots);
	for (i = 0; i < g->n; i++) {
		x = g->order[i];
		if (g->nodes[x].nchildren == 0)
			g->heads[g->nheads++] = x;
		if (g->nodes[x].nparents == 0)
			g->roots[g->nroots++] = x;
	}
}

int
revgraph_build(const struct migset *set, struct revgraph **out,
    struct mdiag_list *diags)
{
	struct mdiag_list local = { 0 };
	struct revgraph *g;
	size_t i, before;

	if (diags == NULL)
		diags = &local;
	before = diags->n;
	g = xcalloc(1, sizeof *g);
	g->set = set;
	g->n = set->n;
	g->nodes = xcalloc(g->n, sizeof *g->nodes);
	for (i = 0; i < g->n; i++) {
		g->nodes[i].mf = set->v[i];
		g->nodes[i].id = set->v[i]->revision;
	}
	rg_build_index(g, diags);
	rg_build_labels(g, diags);
	rg_build_edges(g, diags);
	rg_build_order(g, diags);
	if (diags->n != before) {
		revgraph_free(g);
		mdiag_clear(&local);
		return -EINVAL;
	}
	*out = g;
	return 0;
}

void
revgraph_free(struct revgraph *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n && g->nodes != NULL; i++) {
		free(g->nodes[i].parents);
		free(g->nodes[i].deps);
		free(g->nodes[i].children);
		free(g->nodes[i].dependents);
	}
	free(g->nodes);
	free(g->heads);
	free(g->order);
	free(g->byid);
	free(g->roots);
	free(g->labels);
	free(g);
}

