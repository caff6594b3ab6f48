/* SPDX-License-Identifier: MIT */
/* revgraph.c: revision DAG, heads, specifiers and step plans (SPEC §2). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revgraph.h"

/*
 * Every walk below uses an explicit stack or queue, never recursion, so a
 * chain of any length is fine. Edges "up" are parents then depends_on;
 * edges "down" are children then dependents.
 */

#define RG_LIST_MAX	10	/* revisions named in one message */
#define RG_CYCLE_MAX	10	/* revisions shown in one cycle message */
#define RG_SPEC_MAX	256	/* longest specifier accepted */
#define RG_PREFIX_MIN	4	/* shortest prefix that may match */
#define RG_NONE		SIZE_MAX

static const char *const rg_reserved[] = { "head", "heads", "base", "none" };

struct rg_vec {
	size_t *v;
	size_t n, cap;
};

static void
rg_vec_push(struct rg_vec *v, size_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->v = xreallocarray(v->v, v->cap, sizeof *v->v);
	}
	v->v[v->n++] = x;
}

static size_t *
rg_dup(const size_t *v, size_t n)
{
	size_t *p = xcalloc(n, sizeof *p);

	memcpy(p, v, n * sizeof *p);
	return p;
}

static bool
rg_is_reserved(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(rg_reserved); i++)
		if (strcmp(s, rg_reserved[i]) == 0)
			return true;
	return false;
}

/* Edge sets: up = parents then depends_on; down = children then dependents. */
enum rg_dir {
	RG_UP,
	RG_DOWN,
	RG_PARENTS,
	RG_CHILDREN,
};

static size_t
rg_nedges(const struct rg_node *nd, enum rg_dir d)
{
	switch (d) {
	case RG_UP:
		return nd->nparents + nd->ndeps;
	case RG_DOWN:
		return nd->nchildren + nd->ndependents;
	case RG_PARENTS:
		return nd->nparents;
	case RG_CHILDREN:
		return nd->nchildren;
	}
	return 0;
}

static size_t
rg_edge(const struct rg_node *nd, enum rg_dir d, size_t k)
{
	if (d == RG_UP || d == RG_PARENTS)
		return k < nd->nparents ? nd->parents[k] :
		    nd->deps[k - nd->nparents];
	return k < nd->nchildren ? nd->children[k] :
	    nd->dependents[k - nd->nchildren];
}

/* "a, b, c" naming up to RG_LIST_MAX revisions; caller frees. */
static char *
rg_names(const struct revgraph *g, const size_t *idx, size_t n)
{
	char *s = xstrdup(""), *t;
	size_t i;

	for (i = 0; i < n && i < RG_LIST_MAX; i++) {
		t = xasprintf("%s%s%s", s, i ? ", " : "", g->nodes[idx[i]].id);
		free(s);
		s = t;
	}
	if (n > RG_LIST_MAX) {
		t = xasprintf("%s, ... (%zu in all)", s, n);
		free(s);
		s = t;
	}
	return s;
}

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

/* ---- lookup ---- */

/* First position in byid whose id is >= key. */
static size_t
rg_lower_bound(const struct revgraph *g, const char *key)
{
	size_t lo = 0, hi = g->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(g->nodes[g->byid[mid]].id, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

ssize_t
revgraph_find(const struct revgraph *g, const char *id)
{
	size_t i;

	if (g == NULL || id == NULL || g->byid == NULL)
		return -1;
	i = rg_lower_bound(g, id);
	if (i < g->n && strcmp(g->nodes[g->byid[i]].id, id) == 0)
		return (ssize_t)g->byid[i];
	return -1;
}

ssize_t
revgraph_find_label(const struct revgraph *g, const char *name)
{
	size_t lo = 0, hi, mid;
	int c;

	if (g == NULL || name == NULL)
		return -1;
	hi = g->nlabels;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(g->labels[mid].name, name)) == 0)
			return (ssize_t)g->labels[mid].rev;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * Set err to code and the formatted message, followed by " (a, b, ...)"
 * naming idx[0..n) when n > 0; err->revision is rev. Returns -EINVAL.
 */
static int MIG_PRINTF(7, 8)
rg_fail(const struct revgraph *g, struct merr *err, enum merr_code code,
    const char *rev, const size_t *idx, size_t n, const char *fmt, ...)
{
	char *msg, *names;
	va_list ap;

	if (err == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (n > 0) {
		names = rg_names(g, idx, n);
		(void)merr_set(err, code, "%s (%s)", msg, names);
		free(names);
	} else
		(void)merr_set(err, code, "%s", msg);
	free(msg);
	if (rev != NULL)
		err->revision = xstrdup(rev);
	return -EINVAL;
}

int
revgraph_lookup(const struct revgraph *g, const char *idprefix,
    size_t *out, struct merr *err)
{
	const char *p = idprefix;
	size_t len, first, n = 0;
	ssize_t exact;

	if (p == NULL || *p == '\0')
		return merr_set(err, MERR_REVISION_NOT_FOUND,
		    "empty revision id");
	if ((exact = revgraph_find(g, p)) >= 0) {
		*out = (size_t)exact;
		return 0;
	}
	len = strlen(p);
	first = rg_lower_bound(g, p);
	while (first + n < g->n &&
	    strncmp(g->nodes[g->byid[first + n]].id, p, len) == 0)
		n++;
	if (n == 0 || rg_is_reserved(p))
		return rg_fail(g, err, MERR_REVISION_NOT_FOUND, p, NULL, 0,
		    "no revision %s", p);
	if (len < RG_PREFIX_MIN)
		return rg_fail(g, err, MERR_REVISION_NOT_FOUND, p, NULL, 0,
		    "revision prefix must be at least %d characters: %s",
		    RG_PREFIX_MIN, p);
	if (n > 1)
		return rg_fail(g, err, MERR_AMBIGUOUS_REVISION, p,
		    g->byid + first, n, "revision prefix %s is ambiguous", p);
	*out = g->byid[first];
	return 0;
}

/* ---- closure and rows ---- */

/*
 * Mark everything reachable from start along dir, and start itself unless
 * strict (a start node reached from another one is marked all the same).
 */
static void
rg_mark(const struct revgraph *g, const size_t *start, size_t nstart,
    enum rg_dir dir, bool strict, bool *mark)
{
	struct rg_vec stk = { 0 };
	const struct rg_node *nd;
	size_t i, k, y;

	for (i = 0; i < nstart; i++) {
		if (start[i] >= g->n || mark[start[i]])
			continue;
		mark[start[i]] = !strict;
		rg_vec_push(&stk, start[i]);
	}
	while (stk.n > 0) {
		nd = &g->nodes[stk.v[--stk.n]];
		for (k = 0; k < rg_nedges(nd, dir); k++) {
			y = rg_edge(nd, dir, k);
			if (!mark[y]) {
				mark[y] = true;
				rg_vec_push(&stk, y);
			}
		}
	}
	free(stk.v);
}

void
revgraph_closure(const struct revgraph *g, const size_t *rows, size_t nrows,
    bool *applied)
{
	bool *mark = xcalloc(g->n, sizeof *mark);
	size_t i;

	rg_mark(g, rows, nrows, RG_UP, false, mark);
	for (i = 0; i < g->n; i++)
		if (mark[i])
			applied[i] = true;
	free(mark);
}

size_t
revgraph_rows_of(const struct revgraph *g, const bool *applied, size_t *out)
{
	const struct rg_node *nd;
	size_t i, k, n = 0;

	for (i = 0; i < g->n; i++) {
		nd = &g->nodes[g->order[i]];
		if (!applied[g->order[i]])
			continue;
		for (k = 0; k < nd->nchildren; k++)
			if (applied[nd->children[k]])
				break;
		if (k == nd->nchildren)
			out[n++] = g->order[i];
	}
	return n;
}

/* ---- specifiers ---- */

/* A parsed specifier: [LABEL@]TERM[(+|-)N]. */
struct rg_spec {
	const char *text;	/* the whole specifier, for messages */
	char *label;		/* NULL without '@' */
	char *term;		/* "" for a bare +N / -N */
	int sign;		/* 0: no step; +1 up; -1 down */
	size_t steps;
};

static void
rg_spec_clear(struct rg_spec *sp)
{
	free(sp->label);
	free(sp->term);
}

/* Split spec; malformed text is bad_request. */
static int
rg_spec_parse(const char *spec, struct rg_spec *sp, struct merr *err)
{
	const char *p, *at, *rest, *sign = NULL;
	size_t len, n = 0;

	memset(sp, 0, sizeof *sp);
	sp->text = spec;
	if (spec == NULL || *spec == '\0')
		return merr_set(err, MERR_BAD_REQUEST,
		    "empty revision specifier");
	if ((len = strlen(spec)) > RG_SPEC_MAX)
		return merr_set(err, MERR_BAD_REQUEST,
		    "revision specifier longer than %d characters",
		    RG_SPEC_MAX);
	for (p = spec; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return merr_set(err, MERR_BAD_REQUEST,
			    "invalid character in revision specifier");
	rest = spec;
	if ((at = strchr(spec, '@')) != NULL) {
		if (at == spec || at[1] == '\0' || strchr(at + 1, '@'))
			return merr_set(err, MERR_BAD_REQUEST,
			    "malformed revision specifier %s", spec);
		sp->label = xstrndup(spec, (size_t)(at - spec));
		rest = at + 1;
	}
	for (p = rest; *p != '\0'; p++)
		if (*p == '+' || *p == '-')
			sign = p;
	if (sign == NULL) {
		sp->term = xstrdup(rest);
		return 0;
	}
	if (sign[1] == '\0' || strspn(sign + 1, "0123456789") !=
	    strlen(sign + 1))
		return merr_set(err, MERR_BAD_REQUEST,
		    "malformed relative revision %s", spec);
	for (p = sign + 1; *p != '\0'; p++) {
		if (n > (SIZE_MAX - 9) / 10)
			return merr_set(err, MERR_BAD_REQUEST,
			    "relative step too large in %s", spec);
		n = n * 10 + (size_t)(*p - '0');
	}
	sp->term = xstrndup(rest, (size_t)(sign - rest));
	sp->sign = *sign == '+' ? 1 : -1;
	sp->steps = n;
	return 0;
}

/* Take n steps from *pos (RG_NONE = base), as relative specifiers do. */
static int
rg_walk(const struct revgraph *g, const struct rg_spec *sp, size_t *pos,
    struct merr *err)
{
	const struct rg_node *nd;
	const char *what = "a branch point";
	const size_t *cand;
	size_t i, cnt;

	for (i = 0; i < sp->steps; i++) {
		nd = *pos == RG_NONE ? NULL : &g->nodes[*pos];
		if (sp->sign > 0) {
			cnt = nd ? nd->nchildren : g->nroots;
			cand = nd ? nd->children : g->roots;
		} else if (nd == NULL) {
			return rg_fail(g, err, MERR_REVISION_NOT_FOUND,
			    sp->text, NULL, 0,
			    "relative revision %s goes past base", sp->text);
		} else {
			cnt = nd->nparents;
			cand = nd->parents;
			what = "a merge of";
		}
		if (cnt == 0 && sp->sign > 0)
			return rg_fail(g, err, MERR_REVISION_NOT_FOUND,
			    sp->text, NULL, 0,
			    "relative revision %s goes past the head",
			    sp->text);
		if (cnt > 1)
			return rg_fail(g, err, MERR_AMBIGUOUS_REVISION,
			    sp->text, cand, cnt,
			    "relative revision %s is ambiguous: %s is %s",
			    sp->text, nd ? nd->id : "base",
			    nd ? what : "followed by several roots");
		*pos = cnt == 0 ? RG_NONE : cand[0];
	}
	return 0;
}

/* The single head (RG_NONE for an empty graph), or multiple_heads. */
static int
rg_single_head(const struct revgraph *g, const char *spec, size_t *pos,
    struct merr *err)
{
	if (g->nheads > 1)
		return rg_fail(g, err, MERR_MULTIPLE_HEADS, spec, g->heads,
		    g->nheads, "%s is ambiguous: there are %zu heads", spec,
		    g->nheads);
	*pos = g->nheads == 1 ? g->heads[0] : RG_NONE;
	return 0;
}

/* LABEL@head: the one head reachable from the labelled revision. */
static int
rg_branch_head(const struct revgraph *g, const struct rg_spec *sp,
    size_t *pos, struct merr *err)
{
	struct rg_vec heads = { 0 };
	bool *mark;
	ssize_t x;
	size_t i, start;
	int r = 0;

	if (strcmp(sp->term, "head") != 0)
		return merr_set(err, MERR_BAD_REQUEST,
		    "unsupported revision specifier %s (only LABEL@head)",
		    sp->text);
	if ((x = revgraph_find_label(g, sp->label)) >= 0)
		start = (size_t)x;
	else if ((r = revgraph_lookup(g, sp->label, &start, err)) != 0)
		return r;
	/* Children only: a dependent is not on this branch. */
	mark = xcalloc(g->n, sizeof *mark);
	rg_mark(g, &start, 1, RG_CHILDREN, false, mark);
	for (i = 0; i < g->nheads; i++)
		if (mark[g->heads[i]])
			rg_vec_push(&heads, g->heads[i]);
	free(mark);
	if (heads.n == 1)
		*pos = heads.v[0];
	else
		r = rg_fail(g, err, MERR_MULTIPLE_HEADS, sp->text, heads.v,
		    heads.n, "%s is ambiguous: the branch has %zu heads",
		    sp->text, heads.n);
	free(heads.v);
	return r;
}

/* Starting point of a relative specifier without a term: cur. */
static int
rg_from_cur(const struct revgraph *g, const struct rg_spec *sp,
    const size_t *cur, size_t ncur, size_t *pos, struct merr *err)
{
	if (ncur > 1)
		return rg_fail(g, err, MERR_MULTIPLE_HEADS, sp->text, cur,
		    ncur, "relative revision %s needs a single current "
		    "revision, not %zu", sp->text, ncur);
	if (ncur == 1 && cur[0] >= g->n)
		return merr_set(err, MERR_INTERNAL, "bad current revision");
	*pos = ncur == 1 ? cur[0] : RG_NONE;
	return 0;
}

/* Resolve the term of sp (no label) to one position; heads handled apart. */
static int
rg_term(const struct revgraph *g, const struct rg_spec *sp,
    const size_t *cur, size_t ncur, size_t *pos, struct merr *err)
{
	ssize_t x;

	if (*sp->term == '\0')
		return rg_from_cur(g, sp, cur, ncur, pos, err);
	if (strcmp(sp->term, "head") == 0)
		return rg_single_head(g, sp->text, pos, err);
	if (strcmp(sp->term, "base") == 0) {
		*pos = RG_NONE;
		return 0;
	}
	if (strcmp(sp->term, "none") == 0)
		return merr_set(err, MERR_BAD_REQUEST,
		    "none is not a revision specifier (use base)");
	if (strcmp(sp->term, "heads") == 0)
		return merr_set(err, MERR_BAD_REQUEST,
		    "unsupported revision specifier %s", sp->text);
	if ((x = revgraph_find(g, sp->term)) >= 0 ||
	    (x = revgraph_find_label(g, sp->term)) >= 0) {
		*pos = (size_t)x;
		return 0;
	}
	return revgraph_lookup(g, sp->term, pos, err);
}

int
revgraph_resolve(const struct revgraph *g, const char *spec,
    const size_t *cur, size_t ncur, size_t **out, size_t *nout,
    struct merr *err)
{
	struct rg_spec sp;
	size_t pos = RG_NONE;
	ssize_t x;
	int r;

	/* A whole specifier naming a label (which may hold '-') wins. */
	if (spec != NULL && revgraph_find(g, spec) < 0 &&
	    (x = revgraph_find_label(g, spec)) >= 0) {
		pos = (size_t)x;
		*out = rg_dup(&pos, 1);
		*nout = 1;
		return 0;
	}
	if ((r = rg_spec_parse(spec, &sp, err)) != 0)
		goto done;
	if (sp.label == NULL && sp.sign == 0 &&
	    strcmp(sp.term, "heads") == 0) {
		*out = g->nheads ? rg_dup(g->heads, g->nheads) : NULL;
		*nout = g->nheads;
		goto done;
	}
	if (sp.label != NULL)
		r = rg_branch_head(g, &sp, &pos, err);
	else
		r = rg_term(g, &sp, cur, ncur, &pos, err);
	if (r == 0)
		r = rg_walk(g, &sp, &pos, err);
	if (r == 0) {
		*out = pos == RG_NONE ? NULL : rg_dup(&pos, 1);
		*nout = pos == RG_NONE ? 0 : 1;
	}
done:
	rg_spec_clear(&sp);
	return r;
}

/* ---- plans ---- */

static void
rg_plan_add(struct rg_plan *p, size_t *cap, size_t rev, bool up)
{
	if (p->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		p->v = xreallocarray(p->v, *cap, sizeof *p->v);
	}
	p->v[p->n].rev = rev;
	p->v[p->n++].up = up;
}

/* Check that every downgrade target member is applied. */
static int
rg_plan_check_down(const struct revgraph *g, const bool *applied,
    const size_t *target, size_t ntarget, struct merr *err)
{
	size_t i;

	for (i = 0; i < ntarget; i++) {
		if (target[i] >= g->n)
			return merr_set(err, MERR_INTERNAL,
			    "bad target revision");
		if (!applied[target[i]])
			return rg_fail(g, err, MERR_REVISION_NOT_FOUND,
			    g->nodes[target[i]].id, NULL, 0,
			    "cannot downgrade to %s: it is not applied",
			    g->nodes[target[i]].id);
	}
	return 0;
}

int
revgraph_plan(const struct revgraph *g, bool up, const size_t *cur,
    size_t ncur, const size_t *target, size_t ntarget, struct rg_plan *out,
    struct merr *err)
{
	bool *applied = xcalloc(g->n, sizeof *applied);
	bool *keep = xcalloc(g->n, sizeof *keep);
	bool *below = xcalloc(g->n, sizeof *below);
	struct rg_plan p = { 0 };
	size_t i, x, cap = 0;
	int r = 0;

	revgraph_closure(g, cur, ncur, applied);
	rg_mark(g, target, ntarget, RG_UP, false, keep);
	if (up) {
		for (i = 0; i < g->n; i++)
			if (keep[x = g->order[i]] && !applied[x])
				rg_plan_add(&p, &cap, x, true);
		goto done;
	}
	if ((r = rg_plan_check_down(g, applied, target, ntarget, err)) != 0)
		goto done;
	/*
	 * As Alembic: what descends (children, dependents) from a child of
	 * the target. A dependent of the target itself keeps what it needs.
	 */
	for (i = 0; i < ntarget; i++)
		rg_mark(g, g->nodes[target[i]].children,
		    g->nodes[target[i]].nchildren, RG_DOWN, false, below);
	for (i = g->n; i-- > 0;) {
		x = g->order[i];
		if (applied[x] && !keep[x] && (ntarget == 0 || below[x]))
			rg_plan_add(&p, &cap, x, false);
	}
done:
	free(applied);
	free(keep);
	free(below);
	if (r != 0) {
		free(p.v);
		return r;
	}
	*out = p;
	return 0;
}

void
rg_plan_clear(struct rg_plan *p)
{
	if (p == NULL)
		return;
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* ---- state ---- */

static const char *const rg_state_names[] = {
	[RG_UNKNOWN] = "unknown",
	[RG_DIRTY] = "dirty",
	[RG_AHEAD] = "ahead",
	[RG_CURRENT] = "current",
	[RG_BEHIND] = "behind",
	[RG_DIVERGED] = "diverged",
};

const char *
rg_state_name(enum rg_state s)
{
	if ((size_t)s >= ARRAY_LEN(rg_state_names))
		return "unknown";
	return rg_state_names[s];
}

enum rg_state
revgraph_state(const struct revgraph *g, const char *const *rows,
    size_t nrows)
{
	size_t *idx = xcalloc(nrows, sizeof *idx);
	bool *row = xcalloc(g->n, sizeof *row);
	bool *above = xcalloc(g->n, sizeof *above);
	bool *applied = xcalloc(g->n, sizeof *applied);
	enum rg_state st = RG_BEHIND;
	size_t i, napplied = 0;
	ssize_t x;

	for (i = 0; i < nrows; i++) {
		if ((x = revgraph_find(g, rows[i])) < 0) {
			st = RG_AHEAD;
			goto done;
		}
		idx[i] = (size_t)x;
	}
	for (i = 0; i < nrows; i++) {
		if (row[idx[i]])
			st = RG_DIVERGED;
		row[idx[i]] = true;
	}
	/* Nested: a row is an ancestor of another row (parents only). */
	rg_mark(g, idx, nrows, RG_PARENTS, true, above);
	for (i = 0; i < nrows; i++)
		if (above[idx[i]])
			st = RG_DIVERGED;
	if (st == RG_DIVERGED)
		goto done;
	revgraph_closure(g, idx, nrows, applied);
	for (i = 0; i < g->n; i++)
		napplied += applied[i];
	if (napplied == g->n)
		st = RG_CURRENT;
done:
	free(idx);
	free(row);
	free(above);
	free(applied);
	return st;
}
