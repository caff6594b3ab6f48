/* SPDX-License-Identifier: MIT */
/* autogen-plan.c: order the actions by pg_depend, phases, section text. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

static bool
ag_live(const struct ag_action *x)
{
	return x->up != NULL && x->up[0] != '\0';
}

/* For each object of a catalog, the live actions covering it. */
struct ag_cov {
	struct ag_idx *v;
	size_t n;
};

static void
ag_cov_build(struct ag_cov *cov, const struct ag_plan *p, size_t nobj,
    bool side_a)
{
	size_t i, k;
	const struct ag_idx *ix;

	cov->n = nobj;
	cov->v = xcalloc(nobj ? nobj : 1, sizeof(*cov->v));
	for (i = 0; i < p->n; i++) {
		if (!ag_live(&p->acts[i]))
			continue;
		ix = side_a ? &p->acts[i].aobjs : &p->acts[i].bobjs;
		for (k = 0; k < ix->n; k++) {
			struct ag_idx *c = &cov->v[ix->v[k]];

			c->v = xreallocarray(c->v, c->n + 1, sizeof(size_t));
			c->v[c->n++] = i;
		}
	}
}

static void
ag_cov_free(struct ag_cov *cov)
{
	size_t i;

	for (i = 0; i < cov->n; i++)
		free(cov->v[i].v);
	free(cov->v);
}

struct ag_graph {
	struct ag_idx *succ;	/* per action */
	size_t *indeg;
	size_t n;
};

static void
ag_edge(struct ag_graph *g, size_t from, size_t to)
{
	struct ag_idx *s = &g->succ[from];
	size_t k;

	if (from == to)
		return;
	for (k = 0; k < s->n; k++)
		if (s->v[k] == to)
			return;
	s->v = xreallocarray(s->v, s->n + 1, sizeof(size_t));
	s->v[s->n++] = to;
	g->indeg[to]++;
}

/* Actions making B object o (create or alter) run before action x. */
static void
ag_edges_made(struct ag_graph *g, const struct ag_plan *p,
    const struct ag_cov *bcov, size_t o, size_t x)
{
	size_t k, w;

	for (k = 0; k < bcov->v[o].n; k++) {
		w = bcov->v[o].v[k];
		if (p->acts[w].op == AG_CREATE || p->acts[w].op == AG_ALTER)
			ag_edge(g, w, x);
	}
}

static void
ag_edges(struct ag_graph *g, const struct ag_plan *p,
    const struct ag_cov *acov, const struct ag_cov *bcov)
{
	const struct ag_action *x;
	const struct cat_obj *o;
	size_t i, k, d, z, w, m, ai;

	for (i = 0; i < p->n; i++) {
		x = &p->acts[i];
		if (!ag_live(x))
			continue;
		for (k = 0; k < x->after.n; k++)
			if (ag_live(&p->acts[x->after.v[k]]))
				ag_edge(g, x->after.v[k], i);
		for (k = 0; k < x->bneeds.n; k++)
			ag_edges_made(g, p, bcov, x->bneeds.v[k], i);
		/* what x makes needs, in B, what others make first */
		for (k = 0; k < x->bobjs.n; k++) {
			o = &p->b->objs[x->bobjs.v[k]];
			for (d = 0; d < o->ndeps; d++)
				ag_edges_made(g, p, bcov, o->deps[d], i);
			/* an alter of what another action creates: after it */
			for (m = 0; x->op == AG_ALTER &&
			    m < bcov->v[x->bobjs.v[k]].n; m++) {
				w = bcov->v[x->bobjs.v[k]].v[m];
				if (p->acts[w].op == AG_CREATE)
					ag_edge(g, w, i);
			}
			/* the drop of the same identity first */
			if (x->op != AG_CREATE || (ai = catalog_index(p->a,
			    o->kind, o->id)) == (size_t)-1)
				continue;
			for (m = 0; m < acov->v[ai].n; m++)
				if (p->acts[acov->v[ai].v[m]].op == AG_DROP)
					ag_edge(g, acov->v[ai].v[m], i);
		}
		if (x->op != AG_DROP && x->op != AG_ALTER)
			continue;
		/* what x drops or changes goes after its A dependants go */
		for (k = 0; k < x->aobjs.n; k++) {
			o = &p->a->objs[x->aobjs.v[k]];
			for (d = 0; d < o->nrdeps; d++) {
				z = o->rdeps[d];
				for (m = 0; m < acov->v[z].n; m++) {
					w = acov->v[z].v[m];
					if (p->acts[w].op == AG_DROP ||
					    (x->op == AG_DROP &&
					    p->acts[w].op == AG_ALTER))
						ag_edge(g, w, i);
				}
			}
		}
	}
}

/* Tie-break (§6): renames, drops (late kinds first), alters, creates. */
static int
ag_key_cmp(const struct ag_action *a, const struct ag_action *b)
{
	int c;

	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->rank != b->rank)
		return (a->op == AG_DROP ? b->rank < a->rank :
		    a->rank < b->rank) ? -1 : 1;
	if ((c = strcmp(a->what, b->what)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
ag_is_add_value(const struct ag_action *x)
{
	return strncmp(x->up, "ALTER TYPE ", 11) == 0 &&
	    strstr(x->up, " ADD VALUE ") != NULL && strchr(x->up, ';') == NULL;
}

/* Demote online actions that a main one needs; lift enum labels (§6). */
static void
ag_phases(struct ag_plan *p, const struct ag_graph *g)
{
	bool changed = true;
	size_t i, k;
	struct ag_action *x, *y;

	while (changed) {
		changed = false;
		for (i = 0; i < p->n; i++) {
			x = &p->acts[i];
			if (!ag_live(x))
				continue;
			for (k = 0; k < g->succ[i].n; k++) {
				y = &p->acts[g->succ[i].v[k]];
				if (x->phase > y->phase) {
					x->phase = y->phase;
					changed = true;
				}
				if (x->phase != AG_PRE && ag_is_add_value(x) &&
				    !ag_is_add_value(y)) {
					x->phase = AG_PRE;
					changed = true;
				}
			}
		}
	}
}

int
ag_plan_order(struct ag_plan *p)
{
	struct ag_cov acov, bcov;
	struct ag_graph g;
	bool *done;
	size_t i, k, best, nlive = 0;

	ag_cov_build(&acov, p, p->a->n, true);
	ag_cov_build(&bcov, p, p->b->n, false);
	g.n = p->n;
	g.succ = xcalloc(p->n ? p->n : 1, sizeof(*g.succ));
	g.indeg = xcalloc(p->n ? p->n : 1, sizeof(size_t));
	ag_edges(&g, p, &acov, &bcov);
	done = xcalloc(p->n ? p->n : 1, sizeof(bool));
	free(p->order);
	p->order = xcalloc(p->n ? p->n : 1, sizeof(size_t));
	p->norder = 0;
	for (i = 0; i < p->n; i++)
		nlive += ag_live(&p->acts[i]);
	while (p->norder < nlive) {
		best = (size_t)-1;
		for (i = 0; i < p->n; i++)
			if (!done[i] && ag_live(&p->acts[i]) &&
			    g.indeg[i] == 0 && (best == (size_t)-1 ||
			    ag_key_cmp(&p->acts[i], &p->acts[best]) < 0))
				best = i;
		if (best == (size_t)-1)
			break;
		done[best] = true;
		p->order[p->norder++] = best;
		for (k = 0; k < g.succ[best].n; k++)
			g.indeg[g.succ[best].v[k]]--;
	}
	if (p->norder < nlive) {
		for (i = 0; i < p->n; i++)
			if (!done[i] && ag_live(&p->acts[i]))
				ag_msgs_add(&p->problems, "dependency cycle: "
				    "%s: %s", p->acts[i].what, p->acts[i].up);
	} else
		ag_phases(p, &g);
	for (i = 0; i < p->n; i++)
		free(g.succ[i].v);
	free(g.succ);
	free(g.indeg);
	free(done);
	ag_cov_free(&acov);
	ag_cov_free(&bcov);
	return p->norder < nlive ? -1 : 0;
}

size_t
ag_plan_phases(const struct ag_plan *p, enum ag_phase out[])
{
	bool used[AG_NPHASES] = { false };
	size_t i, n = 0;
	int ph;

	for (i = 0; i < p->norder; i++)
		used[p->acts[p->order[i]].phase] = true;
	for (ph = 0; ph < AG_NPHASES; ph++)
		if (used[ph])
			out[n++] = (enum ag_phase)ph;
	return n;
}

bool
ag_plan_reversible(const struct ag_plan *p, enum ag_phase ph)
{
	size_t i;

	for (i = 0; i < p->norder; i++)
		if (p->acts[p->order[i]].phase == ph &&
		    p->acts[p->order[i]].irreversible)
			return false;
	return true;
}

size_t
ag_plan_stmts(const struct ag_plan *p, enum ag_phase ph, bool down,
    size_t *out)
{
	size_t i, n = 0, k;

	for (i = 0; i < p->norder; i++) {
		k = p->order[down ? p->norder - 1 - i : i];
		if (p->acts[k].phase == ph)
			out[n++] = k;
	}
	return n;
}

/* The text an action runs in its phase (plain when demoted). */
const char *
ag_act_text(const struct ag_action *x, bool down)
{
	bool demoted = x->phase != AG_ONLINE;

	if (down)
		return demoted && x->plain_down ? x->plain_down : x->down;
	return demoted && x->plain_up ? x->plain_up : x->up;
}

char *
ag_plan_section(const struct ag_plan *p, enum ag_phase ph, bool down)
{
	size_t *idx = xcalloc(p->norder ? p->norder : 1, sizeof(size_t));
	size_t n = ag_plan_stmts(p, ph, down, idx), i, len;
	const struct ag_action *x;
	const char *t;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		x = &p->acts[idx[i]];
		if ((t = ag_act_text(x, down)) == NULL || *t == '\0')
			continue;
		if (down && x->down_note != NULL)
			fprintf(f, "%s\n", x->down_note);
		fprintf(f, "%s;\n", t);
	}
	fclose(f);
	free(idx);
	return buf;
}
