/* SPDX-License-Identifier: MIT */
/* lint-model.c: the schema the plan builds up: tables, indexes, enums. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint-int.h"

/*
 * Names are the parser's (unquoted identifiers already folded to lower
 * case), so they compare with strcmp. A map is keyed by the bare name;
 * tables of the same name in other schemas hang off ->next.
 */

struct lmap_ent {
	char *key;		/* NULL: free slot */
	void *val;
};

struct lmap {
	struct lmap_ent *v;
	size_t cap, n;		/* cap: a power of two */
};

static uint64_t
lmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct lmap *
lmap_new(void)
{
	struct lmap *m = xcalloc(1, sizeof *m);

	m->cap = 64;
	m->v = xcalloc(m->cap, sizeof *m->v);
	return m;
}

/* Slot of key, or the free slot where it would go. */
static size_t
lmap_slot(const struct lmap *m, const char *key)
{
	size_t i = (size_t)lmap_hash(key) & (m->cap - 1);

	while (m->v[i].key != NULL && strcmp(m->v[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *
lmap_get(const struct lmap *m, const char *key)
{
	size_t i = lmap_slot(m, key);

	return m->v[i].key != NULL ? m->v[i].val : NULL;
}

static void
lmap_grow(struct lmap *m)
{
	struct lmap_ent *old = m->v;
	size_t oldcap = m->cap, i, j;

	m->cap *= 2;
	m->v = xcalloc(m->cap, sizeof *m->v);
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		j = lmap_slot(m, old[i].key);
		m->v[j] = old[i];
	}
	free(old);
}

static void
lmap_put(struct lmap *m, const char *key, void *val)
{
	size_t i;

	if ((m->n + 1) * 10 > m->cap * 7)
		lmap_grow(m);
	i = lmap_slot(m, key);
	if (m->v[i].key == NULL) {
		m->v[i].key = xstrdup(key);
		m->n++;
	}
	m->v[i].val = val;
}

/* Remove key (linear probing: shift the run back over the hole). */
static void
lmap_del(struct lmap *m, const char *key)
{
	size_t i = lmap_slot(m, key), j, h;

	if (m->v[i].key == NULL)
		return;
	free(m->v[i].key);
	m->v[i].key = NULL;
	m->n--;
	for (j = (i + 1) & (m->cap - 1); m->v[j].key != NULL;
	    j = (j + 1) & (m->cap - 1)) {
		h = (size_t)lmap_hash(m->v[j].key) & (m->cap - 1);
		/* Move j into the hole i unless h lies cyclically in (i, j]. */
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && (h <= i && h > j))) {
			m->v[i] = m->v[j];
			m->v[j].key = NULL;
			i = j;
		}
	}
}

static void
lmap_free(struct lmap *m, void (*fn)(void *))
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++) {
		if (m->v[i].key == NULL)
			continue;
		if (fn != NULL)
			fn(m->v[i].val);
		free(m->v[i].key);
	}
	free(m->v);
	free(m);
}

/* ---- tables ---- */

static void
lm_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
lm_con_clear(struct lm_con *c)
{
	free(c->name);
	free(c->nn_col);
	lm_strv_free(c->cols, c->ncols);
	lint_bound_atoms_free(c);
}

static void
lm_rel_free1(struct lm_rel *r)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		free(r->cols[i].name), free(r->cols[i].type);
	free(r->cols);
	for (i = 0; i < r->ncons; i++)
		lm_con_clear(&r->cons[i]);
	free(r->cons);
	for (i = 0; i < r->ndeps; i++)
		free(r->deps[i].view), free(r->deps[i].col);
	free(r->deps);
	lm_strv_free(r->partkey, r->npartkey);
	free(r->schema);
	free(r->name);
	free(r);
}

static void
lm_rel_free_chain(void *p)
{
	struct lm_rel *r = p, *next;

	for (; r != NULL; r = next) {
		next = r->next;
		lm_rel_free1(r);
	}
}

static bool
lm_schema_match(const char *want, const char *have)
{
	return want == NULL || *want == '\0' || *have == '\0' ||
	    strcmp(want, have) == 0;
}

struct lm_rel *
lm_rel_find(struct lint_model *m, const char *schema, const char *name)
{
	struct lm_rel *r;

	if (name == NULL)
		return NULL;
	for (r = lmap_get(m->rels, name); r != NULL; r = r->next)
		if (lm_schema_match(schema, r->schema))
			return r;
	return NULL;
}

struct lm_rel *
lm_rel_get(struct lint_model *m, const char *schema, const char *name)
{
	struct lm_rel *r, *head;

	if ((r = lm_rel_find(m, schema, name)) != NULL)
		return r;
	head = lmap_get(m->rels, name);
	r = xcalloc(1, sizeof *r);
	r->schema = xstrdup(schema != NULL ? schema : "");
	r->name = xstrdup(name);
	r->kind = 'r';
	r->reltuples = -1;
	r->next = head;
	lmap_put(m->rels, name, r);
	return r;
}

void
lm_rel_forget(struct lint_model *m, struct lm_rel *r)
{
	struct lm_rel *head, **pp;
	char *name;

	head = lmap_get(m->rels, r->name);
	for (pp = &head; *pp != NULL && *pp != r; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;
	*pp = r->next;
	name = xstrdup(r->name);
	if (head != NULL)
		lmap_put(m->rels, name, head);
	else
		lmap_del(m->rels, name);
	free(name);
	lm_rel_free1(r);
}

void
lm_rel_rename(struct lint_model *m, struct lm_rel *r, const char *name)
{
	struct lm_rel *head, **pp;

	head = lmap_get(m->rels, r->name);
	for (pp = &head; *pp != NULL && *pp != r; pp = &(*pp)->next)
		;
	if (*pp == NULL)
		return;
	*pp = r->next;
	if (head != NULL)
		lmap_put(m->rels, r->name, head);
	else
		lmap_del(m->rels, r->name);
	free(r->name);
	r->name = xstrdup(name);
	r->next = lmap_get(m->rels, name);
	lmap_put(m->rels, name, r);
}

struct lm_col *
lm_col_find(struct lm_rel *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i].name, name) == 0)
			return &r->cols[i];
	return NULL;
}

struct lm_col *
lm_col_add(struct lm_rel *r, const char *name)
{
	struct lm_col *c;

	if ((c = lm_col_find(r, name)) != NULL)
		return c;
	r->cols = xreallocarray(r->cols, r->ncols + 1, sizeof *r->cols);
	c = &r->cols[r->ncols++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->type = xstrdup("");
	return c;
}

void
lm_col_forget(struct lm_rel *r, const char *name)
{
	struct lm_col *c = lm_col_find(r, name);
	size_t i;

	if (c == NULL)
		return;
	free(c->name);
	free(c->type);
	i = (size_t)(c - r->cols);
	memmove(c, c + 1, (r->ncols - i - 1) * sizeof *c);
	r->ncols--;
}

struct lm_con *
lm_con_find(struct lm_rel *r, const char *name)
{
	size_t i;

	if (name == NULL || *name == '\0')
		return NULL;
	for (i = 0; i < r->ncons; i++)
		if (strcmp(r->cons[i].name, name) == 0)
			return &r->cons[i];
	return NULL;
}

struct lm_con *
lm_con_add(struct lm_rel *r, const char *name, char kind)
{
	struct lm_con *c;

	if ((c = lm_con_find(r, name)) != NULL) {
		lm_con_clear(c);
	} else {
		r->cons = xreallocarray(r->cons, r->ncons + 1,
		    sizeof *r->cons);
		c = &r->cons[r->ncons++];
	}
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name != NULL ? name : "");
	c->kind = kind;
	return c;
}

void
lm_dep_add(struct lm_rel *r, const char *view, const char *col)
{
	size_t i;

	for (i = 0; i < r->ndeps; i++)
		if (strcmp(r->deps[i].view, view) == 0 &&
		    ((col == NULL && r->deps[i].col == NULL) ||
		    (col != NULL && r->deps[i].col != NULL &&
		    strcmp(col, r->deps[i].col) == 0)))
			return;
	if (r->ndeps >= 4096)
		return;
	r->deps = xreallocarray(r->deps, r->ndeps + 1, sizeof *r->deps);
	r->deps[r->ndeps].view = xstrdup(view);
	r->deps[r->ndeps++].col = col != NULL ? xstrdup(col) : NULL;
}

void
lm_deps_forget(struct lint_model *m, const char *view)
{
	struct lm_rel *r;
	size_t i, j, k;

	for (i = 0; i < m->rels->cap; i++) {
		if (m->rels->v[i].key == NULL)
			continue;
		for (r = m->rels->v[i].val; r != NULL; r = r->next) {
			for (j = k = 0; j < r->ndeps; j++) {
				if (strcmp(r->deps[j].view, view) == 0) {
					free(r->deps[j].view);
					free(r->deps[j].col);
				} else
					r->deps[k++] = r->deps[j];
			}
			r->ndeps = k;
		}
	}
}

/* ---- indexes, enums, schemas ---- */

static void
lm_index_free(void *p)
{
	struct lm_index *x = p;

	free(x->name);
	free(x->table);
	free(x);
}

struct lm_index *
lm_index_find(struct lint_model *m, const char *name)
{
	return name != NULL ? lmap_get(m->indexes, name) : NULL;
}

void
lm_index_add(struct lint_model *m, const char *name, const char *table,
    unsigned txn)
{
	struct lm_index *x;

	if (name == NULL || *name == '\0')
		return;
	if ((x = lm_index_find(m, name)) != NULL) {
		free(x->table);
	} else {
		x = xcalloc(1, sizeof *x);
		x->name = xstrdup(name);
		lmap_put(m->indexes, name, x);
	}
	x->table = xstrdup(table);
	x->txn = txn;
}

void
lm_index_forget(struct lint_model *m, const char *name)
{
	struct lm_index *x = lm_index_find(m, name);

	if (x == NULL)
		return;
	lmap_del(m->indexes, name);
	lm_index_free(x);
}

static void
lm_enum_free(void *p)
{
	struct lm_enum *e = p;

	lm_strv_free(e->labels, e->nlabels);
	free(e->txn);
	free(e->name);
	free(e);
}

struct lm_enum *
lm_enum_find(struct lint_model *m, const char *name)
{
	return name != NULL ? lmap_get(m->enums, name) : NULL;
}

struct lm_enum *
lm_enum_get(struct lint_model *m, const char *name)
{
	struct lm_enum *e;

	if ((e = lm_enum_find(m, name)) != NULL)
		return e;
	e = xcalloc(1, sizeof *e);
	e->name = xstrdup(name);
	lmap_put(m->enums, name, e);
	return e;
}

void
lm_schema_add(struct lint_model *m, const char *name, unsigned txn)
{
	lmap_put(m->schemas, name, (void *)(uintptr_t)txn);
}

unsigned
lm_schema_txn(struct lint_model *m, const char *name)
{
	return (unsigned)(uintptr_t)lmap_get(m->schemas, name);
}

void
lint_model_init(struct lint_model *m)
{
	m->rels = lmap_new();
	m->indexes = lmap_new();
	m->enums = lmap_new();
	m->schemas = lmap_new();
}

void
lint_model_clear(struct lint_model *m)
{
	lmap_free(m->rels, lm_rel_free_chain);
	lmap_free(m->indexes, lm_index_free);
	lmap_free(m->enums, lm_enum_free);
	lmap_free(m->schemas, NULL);
	memset(m, 0, sizeof *m);
}
