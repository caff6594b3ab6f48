/* SPDX-License-Identifier: MIT */
/* revgraph-int.h: helpers shared by revgraph.c and revgraph-query.c. */
#ifndef MIGRATED_REVGRAPH_INT_H
#define MIGRATED_REVGRAPH_INT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revgraph.h"

/*
 * Every walk uses an explicit stack or queue, never recursion, so a
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

static inline void
rg_vec_push(struct rg_vec *v, size_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->v = xreallocarray(v->v, v->cap, sizeof *v->v);
	}
	v->v[v->n++] = x;
}

static inline size_t *
rg_dup(const size_t *v, size_t n)
{
	size_t *p = xcalloc(n, sizeof *p);

	memcpy(p, v, n * sizeof *p);
	return p;
}

static inline bool
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

static inline size_t
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

static inline size_t
rg_edge(const struct rg_node *nd, enum rg_dir d, size_t k)
{
	if (d == RG_UP || d == RG_PARENTS)
		return k < nd->nparents ? nd->parents[k] :
		    nd->deps[k - nd->nparents];
	return k < nd->nchildren ? nd->children[k] :
	    nd->dependents[k - nd->nchildren];
}

/* "a, b, c" naming up to RG_LIST_MAX revisions; caller frees. */
static inline char *
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

#endif
