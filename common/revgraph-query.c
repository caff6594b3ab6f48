/* SPDX-License-Identifier: MIT */
/* revgraph-query.c: lookups, specifiers, closures, step plans and state. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revgraph.h"
#include "revgraph-int.h"

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

/* A row: applied, and no child applied (depends_on does not count). */
static bool
rg_is_row(const struct revgraph *g, const bool *applied, size_t i)
{
	const struct rg_node *nd = &g->nodes[i];
	size_t k;

	if (!applied[i])
		return false;
	for (k = 0; k < nd->nchildren; k++)
		if (applied[nd->children[k]])
			return false;
	return true;
}

static bool
rg_in(const size_t *v, size_t n, size_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

size_t
revgraph_rows_step(const struct revgraph *g, const bool *applied,
    const size_t *rows, size_t nrows, size_t rev, size_t *out)
{
	const struct rg_node *nd = &g->nodes[rev];
	size_t i, k, x, n = 0;

	/* rows that are neither rev nor a parent of rev stay as they were
	   (in topo order: the sort below only places the others) */
	for (i = 0; i < nrows; i++)
		if (rows[i] != rev && !rg_in(nd->parents, nd->nparents,
		    rows[i]))
			out[n++] = rows[i];
	if (rg_is_row(g, applied, rev) && !rg_in(out, n, rev))
		out[n++] = rev;
	for (i = 0; i < nd->nparents; i++)
		if (rg_is_row(g, applied, nd->parents[i]) &&
		    !rg_in(out, n, nd->parents[i]))
			out[n++] = nd->parents[i];
	for (i = 1; i < n; i++) {	/* a few rows: insertion sort */
		x = out[i];
		for (k = i; k > 0 && g->nodes[out[k - 1]].topo >
		    g->nodes[x].topo; k--)
			out[k] = out[k - 1];
		out[k] = x;
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

/* ---- direction of a target ---- */

static int MIG_PRINTF(4, 5)
rg_wrong_way(struct merr *err, const char *hint_op, const char *spec,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	(void)merr_set(err, MERR_BAD_REQUEST, "%s", msg);
	free(msg);
	err->hint = xasprintf("use %s %s", hint_op, spec);
	return -EINVAL;
}

/* The specifier's own words: a bare +N/-N, a head, base. */
static int
rg_check_words(const struct revgraph *g, bool up, const char *spec,
    struct merr *err)
{
	const char *op = up ? "upgrade" : "downgrade";
	const char *other = up ? "downgrade" : "upgrade";
	struct rg_spec sp;
	int r = 0;

	if (revgraph_find(g, spec) >= 0 || revgraph_find_label(g, spec) >= 0)
		return 0;
	if (rg_spec_parse(spec, &sp, NULL) != 0) {
		rg_spec_clear(&sp);
		return 0;	/* revgraph_resolve() said why */
	}
	if (sp.label == NULL && *sp.term == '\0' && sp.steps == 0)
		r = merr_set(err, MERR_BAD_REQUEST, "%s %s moves nowhere: "
		    "give a number of steps", op, spec);
	else if (sp.label == NULL && *sp.term == '\0' &&
	    sp.sign == (up ? -1 : 1))
		r = rg_wrong_way(err, other, spec, "%s %s goes the wrong way: "
		    "%s steps %s", op, spec, op, up ? "up" : "down");
	else if (up && sp.label == NULL && sp.sign == 0 &&
	    strcmp(sp.term, "base") == 0)
		r = rg_wrong_way(err, other, spec, "base is not an upgrade "
		    "target: it lies below every revision");
	else if (!up && sp.sign == 0 && (sp.label != NULL ||
	    strcmp(sp.term, "head") == 0 || strcmp(sp.term, "heads") == 0))
		r = rg_wrong_way(err, other, spec, "%s is not a downgrade "
		    "target: nothing lies above a head", spec);
	rg_spec_clear(&sp);
	return r;
}

int
revgraph_check_target(const struct revgraph *g, bool up, const char *spec,
    const size_t *cur, size_t ncur, const size_t *target, size_t ntarget,
    struct merr *err)
{
	bool *applied, *isrow;
	char *at;
	size_t i, t;
	int r;

	if ((r = rg_check_words(g, up, spec, err)) != 0)
		return r;
	applied = xcalloc(g->n + 1, sizeof *applied);
	isrow = xcalloc(g->n + 1, sizeof *isrow);
	revgraph_closure(g, cur, ncur, applied);
	for (i = 0; i < ncur; i++)
		if (cur[i] < g->n)
			isrow[cur[i]] = true;
	for (i = 0; i < ntarget && r == 0; i++) {
		if ((t = target[i]) >= g->n)
			continue;
		at = ncur > 0 ? rg_names(g, cur, ncur) : xstrdup("base");
		if (up && applied[t] && !isrow[t])
			r = rg_wrong_way(err, "downgrade", spec, "cannot "
			    "upgrade to %s: it is applied and the database is "
			    "past it (at %s)", g->nodes[t].id, at);
		else if (!up && !applied[t])
			r = rg_wrong_way(err, "upgrade", spec, "cannot "
			    "downgrade to %s: it is not applied (at %s)",
			    g->nodes[t].id, at);
		free(at);
	}
	free(applied);
	free(isrow);
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

bool
revgraph_is_empty(const struct revgraph *g, size_t i)
{
	return g->nodes[i].nparents <= 1 && g->nodes[i].mf->up.stmts.n == 0;
}

size_t
revgraph_plan_stop_empty(const struct revgraph *g, struct rg_plan *p,
    size_t *first)
{
	bool *blocked = xcalloc(g->n + 1, sizeof *blocked);
	const struct rg_node *nd;
	size_t i, j, n = 0, dropped = 0;
	bool b;

	for (i = 0; i < p->n; i++) {
		nd = &g->nodes[p->v[i].rev];
		b = p->v[i].up && revgraph_is_empty(g, p->v[i].rev);
		for (j = 0; j < nd->nparents && !b; j++)
			b = blocked[nd->parents[j]];
		for (j = 0; j < nd->ndeps && !b; j++)
			b = blocked[nd->deps[j]];
		if (b && dropped++ == 0 && first != NULL)
			*first = p->v[i].rev;
		blocked[p->v[i].rev] = b;
		if (!b)
			p->v[n++] = p->v[i];
	}
	p->n = n;
	free(blocked);
	return dropped;
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
	/*
	 * Nested: a row is an ancestor of another row (parents only). One row
	 * cannot be (the graph has no cycle): no walk, which during a plan
	 * is every status refresh's (runner_publish_rows(), every 50 ms).
	 */
	if (nrows > 1)
		rg_mark(g, idx, nrows, RG_PARENTS, true, above);
	for (i = 0; i < nrows; i++)
		if (above[idx[i]])
			st = RG_DIVERGED;
	if (st == RG_DIVERGED)
		goto done;
	/*
	 * One row with a child: the child is not applied (it would be an
	 * ancestor of its own parent), so the state is behind, no walk.
	 */
	if (nrows == 1 && g->nodes[idx[0]].nchildren > 0)
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
