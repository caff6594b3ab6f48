/* SPDX-License-Identifier: MIT */
/* autogen-diff.c: match two catalogs, dispatch per kind, the closure (§5). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

void
ag_msgs_add(struct ag_msgs *m, const char *fmt, ...)
{
	va_list ap;

	m->v = xreallocarray(m->v, m->n + 1, sizeof(char *));
	va_start(ap, fmt);
	m->v[m->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void
ag_msgs_clear(struct ag_msgs *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i]);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static const struct {
	const char *kind;
	int rank;
	const char *sql;	/* COMMENT ON / DROP keyword */
} ag_kinds[] = {
	{ "schema", 0, "SCHEMA" },
	{ "extension", 1, "EXTENSION" },
	{ "enum", 2, "TYPE" },
	{ "domain", 3, "DOMAIN" },
	{ "composite", 4, "TYPE" },
	{ "sequence", 5, "SEQUENCE" },
	{ "table", 6, "TABLE" },
	{ "column", 7, "COLUMN" },
	{ "default", 8, NULL },
	{ "domcheck", 9, "CONSTRAINT" },
	{ "constraint", 9, "CONSTRAINT" },
	{ "index", 10, "INDEX" },
	{ "view", 11, "VIEW" },
	{ "matview", 12, "MATERIALIZED VIEW" },
	{ "function", 13, "FUNCTION" },
	{ "procedure", 13, "PROCEDURE" },
	{ "trigger", 14, "TRIGGER" },
	{ "policy", 15, "POLICY" },
	{ "unmodelled", 20, NULL },
};

int
ag_rank(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(ag_kinds); i++)
		if (strcmp(ag_kinds[i].kind, kind) == 0)
			return ag_kinds[i].rank;
	return 19;
}

const char *
ag_sqlkind(const struct cat_obj *o)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(ag_kinds); i++)
		if (strcmp(ag_kinds[i].kind, o->kind) == 0)
			return ag_kinds[i].sql;
	return NULL;
}

const char *
ag_name(const struct cat_obj *o)
{
	size_t n;

	if (o->parent == NULL)
		return o->id;
	n = strlen(o->parent);
	if (strncmp(o->id, o->parent, n) == 0 && o->id[n] == '.')
		return o->id + n + 1;
	return o->id;
}

bool
ag_kind_is(const struct cat_obj *o, const char *kind)
{
	return strcmp(o->kind, kind) == 0;
}

bool
ag_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
ag_attr_eq(const struct cat_obj *a, const struct cat_obj *b, const char *key)
{
	return ag_str_eq(cat_get(a, key), cat_get(b, key));
}

struct ag_action *
ag_alter(struct ag_plan *p, size_t ai, size_t bi, const char *up,
    const char *down)
{
	const struct cat_obj *o = &p->b->objs[bi];
	char *what = xasprintf("%s %s", o->kind, o->id);
	struct ag_action *x;

	x = ag_act(p, AG_ALTER, ag_rank(o->kind), what, up, down);
	ag_cover_a(x, ai);
	ag_cover_b(x, bi);
	free(what);
	return x;
}

const char *
ag_base(const char *id)
{
	const char *p = id, *last = id;
	bool q = false;

	for (; *p != '\0'; p++) {
		if (*p == '"')
			q = !q;
		else if (*p == '.' && !q)
			last = p + 1;
	}
	return last;
}

char *
ag_literal(const char *s)
{
	size_t n = 3, i, j;
	char *out;

	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '\'' ? 2 : 1;
	out = xmalloc(n);
	out[0] = '\'';
	for (i = 0, j = 1; s[i] != '\0'; i++) {
		out[j++] = s[i];
		if (s[i] == '\'')
			out[j++] = '\'';
	}
	out[j++] = '\'';
	out[j] = '\0';
	return out;
}

struct ag_action *
ag_act(struct ag_plan *p, enum ag_op op, int rank, const char *what,
    const char *up, const char *down)
{
	struct ag_action *x;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->acts = xreallocarray(p->acts, p->cap, sizeof(*x));
	}
	x = &p->acts[p->n];
	memset(x, 0, sizeof(*x));
	x->op = op;
	x->phase = AG_MAIN;
	x->rank = rank;
	x->seq = p->n++;
	x->what = xstrdup(what);
	x->up = xstrdup(up);
	x->down = down != NULL ? xstrdup(down) : NULL;
	return x;
}

static void
ag_idx_push(struct ag_idx *ix, size_t i)
{
	ix->v = xreallocarray(ix->v, ix->n + 1, sizeof(size_t));
	ix->v[ix->n++] = i;
}

void
ag_cover_a(struct ag_action *x, size_t i)
{
	ag_idx_push(&x->aobjs, i);
}

void
ag_cover_b(struct ag_action *x, size_t i)
{
	ag_idx_push(&x->bobjs, i);
}

size_t
ag_act_index(const struct ag_plan *p, const struct ag_action *x)
{
	return (size_t)(x - p->acts);
}

/* y runs before x. */
void
ag_after(struct ag_plan *p, struct ag_action *x, struct ag_action *y)
{
	ag_idx_push(&x->after, ag_act_index(p, y));
}

void
ag_gone(struct ag_plan *p, size_t i)
{
	p->a_gone[i] = true;
}

void
ag_comment(struct ag_plan *p, const struct cat_obj *a, size_t ai,
    const struct cat_obj *b, size_t bi)
{
	const char *ca = a ? cat_get(a, "comment") : NULL;
	const char *cb = b ? cat_get(b, "comment") : NULL;
	const struct cat_obj *o = b ? b : a;
	char *up, *down, *what;
	struct ag_action *x;

	if ((ca == NULL && cb == NULL) || (ca && cb && !strcmp(ca, cb)))
		return;
	if ((up = ag_ddl_comment(o, cb)) == NULL)
		return;
	down = a && b ? ag_ddl_comment(o, ca) : NULL;
	what = xasprintf("%s %s", o->kind, o->id);
	x = ag_act(p, a && b ? AG_ALTER : AG_CREATE, 17, what, up, down);
	if (b != NULL)
		ag_cover_b(x, bi);
	if (a != NULL && b != NULL)
		ag_cover_a(x, ai);
	free(up);
	free(down);
	free(what);
}

static int
ag_obj_rank(const struct cat_obj *o)
{
	const char *t = cat_get(o, "type");

	if (strcmp(o->kind, "constraint") == 0 && t != NULL && *t == 'f')
		return 16;
	return ag_rank(o->kind);
}

struct ag_action *
ag_create_obj(struct ag_plan *p, size_t bi, unsigned flags)
{
	const struct cat_obj *o = &p->b->objs[bi];
	char *up = ag_ddl_create(p->b, bi, flags & AG_DDL_ONLINE);
	char *down = ag_ddl_drop(p->b, bi, flags & AG_DDL_ONLINE);
	char *what = xasprintf("%s %s", o->kind, o->id);
	size_t xi;

	xi = ag_act_index(p, ag_act(p, AG_CREATE, ag_obj_rank(o), what, up,
	    down));
	ag_cover_b(&p->acts[xi], bi);
	p->b_made[bi] = true;
	free(up);
	free(down);
	free(what);
	ag_comment(p, NULL, 0, o, bi);	/* may move p->acts */
	return &p->acts[xi];
}

struct ag_action *
ag_drop_obj(struct ag_plan *p, size_t ai, unsigned flags)
{
	const struct cat_obj *o = &p->a->objs[ai];
	char *up = ag_ddl_drop(p->a, ai, flags & AG_DDL_ONLINE);
	char *down = ag_ddl_create(p->a, ai,
	    AG_DDL_CHILDREN | (flags & AG_DDL_ONLINE));
	char *what = xasprintf("%s %s", o->kind, o->id);
	struct ag_action *x;

	x = ag_act(p, AG_DROP, ag_obj_rank(o), what, up, down);
	ag_cover_a(x, ai);
	p->a_gone[ai] = true;
	free(up);
	free(down);
	free(what);
	return x;
}

/* Per-kind handlers: matched pair, only in B, only in A. */
struct ag_handler {
	const char *kind;
	void (*diff)(struct ag_plan *, size_t, size_t);
	void (*create)(struct ag_plan *, size_t);
	void (*drop)(struct ag_plan *, size_t);
};

static void ag_diff_unmodelled(struct ag_plan *, size_t, size_t);
static void ag_create_unmodelled(struct ag_plan *, size_t);
static void ag_drop_unmodelled(struct ag_plan *, size_t);

/* Parents before children: a child of a created or dropped parent is its. */
static const struct ag_handler ag_handlers[] = {
	{ "schema", ag_diff_type, ag_create_type, ag_drop_type },
	{ "extension", ag_diff_type, ag_create_type, ag_drop_type },
	{ "enum", ag_diff_type, ag_create_type, ag_drop_type },
	{ "domain", ag_diff_type, ag_create_type, ag_drop_type },
	{ "composite", ag_diff_type, ag_create_type, ag_drop_type },
	{ "sequence", ag_diff_type, ag_create_type, ag_drop_type },
	{ "function", ag_diff_code, ag_create_code, ag_drop_code },
	{ "procedure", ag_diff_code, ag_create_code, ag_drop_code },
	{ "table", ag_diff_table, ag_create_rel, ag_drop_rel },
	{ "view", ag_diff_view, ag_create_rel, ag_drop_rel },
	{ "matview", ag_diff_view, ag_create_rel, ag_drop_rel },
	{ "column", ag_diff_column, ag_create_rel, ag_drop_rel },
	{ "default", ag_diff_default, ag_create_rel, ag_drop_rel },
	{ "constraint", ag_diff_constraint, ag_create_rel, ag_drop_rel },
	{ "domcheck", ag_diff_type, ag_create_type, ag_drop_type },
	{ "index", ag_diff_index, ag_create_rel, ag_drop_rel },
	{ "trigger", ag_diff_code, ag_create_code, ag_drop_code },
	{ "policy", ag_diff_code, ag_create_code, ag_drop_code },
	{ "unmodelled", ag_diff_unmodelled, ag_create_unmodelled,
	    ag_drop_unmodelled },
};

static const struct ag_handler *
ag_handler(const char *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(ag_handlers); i++)
		if (strcmp(ag_handlers[i].kind, kind) == 0)
			return &ag_handlers[i];
	return NULL;
}

static void
ag_diff_unmodelled(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai];

	if (!cat_obj_equal(a, &p->b->objs[bi]))
		ag_msgs_add(&p->notes, "unmodelled, changed: %s (write it "
		    "by hand)", a->id);
	else	/* SPEC §8: reported wherever found, the same or not */
		ag_msgs_add(&p->notes, "unmodelled, on both sides: %s (not "
		    "planned; left as it is)", a->id);
}

static void
ag_create_unmodelled(struct ag_plan *p, size_t bi)
{
	ag_msgs_add(&p->notes, "unmodelled, only in the desired schema: %s "
	    "(write it by hand)", p->b->objs[bi].id);
}

static void
ag_drop_unmodelled(struct ag_plan *p, size_t ai)
{
	ag_msgs_add(&p->notes, "unmodelled, only in the migrations: %s "
	    "(kept; drop it by hand if it must go)", p->a->objs[ai].id);
}

/* The index of o's parent in cat, or (size_t)-1. */
static size_t
ag_parent_index(const struct catalog *cat, const struct cat_obj *o)
{
	static const char *const kinds[] = { "table", "view", "matview",
		"column", "domain" };
	size_t i, k;

	if (o->parent == NULL)
		return (size_t)-1;
	for (k = 0; k < ARRAY_LEN(kinds); k++)
		if ((i = catalog_index(cat, kinds[k], o->parent)) !=
		    (size_t)-1)
			return i;
	return (size_t)-1;
}

/*
 * A dropped parent takes its children with it: an A object whose parent is
 * gone is covered by the parent's drop (found through its action).
 */
static bool
ag_is_fk(const struct cat_obj *o)
{
	const char *t = cat_get(o, "type");

	return strcmp(o->kind, "constraint") == 0 && t != NULL && *t == 'f';
}

static bool
ag_covered_a(struct ag_plan *p, size_t ai)
{
	size_t pi = ag_parent_index(p->a, &p->a->objs[ai]), k, m;

	/* foreign keys go first on their own, as pg_dump orders them:
	 * tables that reference each other could not be dropped else */
	if (pi == (size_t)-1 || !p->a_gone[pi] || ag_is_fk(&p->a->objs[ai]))
		return false;
	p->a_gone[ai] = true;
	for (k = 0; k < p->n; k++)
		for (m = 0; m < p->acts[k].aobjs.n; m++)
			if (p->acts[k].op == AG_DROP &&
			    p->acts[k].aobjs.v[m] == pi) {
				ag_cover_a(&p->acts[k], ai);
				return true;
			}
	return true;
}

/* Columns and defaults of a new table are in its CREATE TABLE. */
static bool
ag_covered_b(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];

	if (strcmp(o->kind, "column") != 0 && strcmp(o->kind, "default") != 0)
		return false;
	return p->b_made[bi];
}

static void
ag_pass(struct ag_plan *p, const struct ag_handler *h)
{
	const struct catalog *a = p->a, *b = p->b;
	size_t i = 0, j = 0;
	int c;

	while (i < a->n && strcmp(a->objs[i].kind, h->kind) != 0)
		i++;
	while (j < b->n && strcmp(b->objs[j].kind, h->kind) != 0)
		j++;
	for (;;) {
		bool ia = i < a->n && !strcmp(a->objs[i].kind, h->kind);
		bool jb = j < b->n && !strcmp(b->objs[j].kind, h->kind);

		if (!ia && !jb)
			break;
		c = !ia ? 1 : !jb ? -1 : strcmp(a->objs[i].id, b->objs[j].id);
		if (c == 0) {
			/* a recreated parent took the old one along */
			if (!p->a_gone[i])
				(void)ag_covered_a(p, i);
			if (p->a_gone[i] && !p->b_made[j] &&
			    !ag_covered_b(p, j))
				h->create(p, j);
			else if (!p->a_gone[i] && !p->b_made[j])
				h->diff(p, i, j);
			i++;
			j++;
		} else if (c < 0) {
			if (!p->a_gone[i] && !ag_covered_a(p, i))
				h->drop(p, i);
			i++;
		} else {
			if (!p->b_made[j] && !ag_covered_b(p, j))
				h->create(p, j);
			j++;
		}
	}
}

/* Kinds PostgreSQL will not keep over a column whose type changes. */
static bool
ag_retype_victim(const struct cat_obj *z)
{
	static const char *const kinds[] = { "view", "matview", "policy",
		"trigger", "column", "default", "unmodelled" };
	size_t k;

	for (k = 0; k < ARRAY_LEN(kinds); k++)
		if (strcmp(z->kind, kinds[k]) == 0)
			return true;
	return false;
}

/* Kinds the closure can drop and create again without losing data. */
static bool
ag_recreatable(const struct cat_obj *z)
{
	static const char *const kinds[] = { "view", "matview", "function",
		"procedure", "trigger", "policy", "constraint", "index",
		"default", "domcheck" };
	size_t k;

	for (k = 0; k < ARRAY_LEN(kinds); k++)
		if (strcmp(z->kind, kinds[k]) == 0)
			return true;
	return strcmp(z->kind, "column") == 0 && cat_get(z, "generated");
}

/* Mark actions that covered z (an alter now superseded) dead. */
static void
ag_supersede(struct ag_plan *p, size_t z)
{
	size_t k, m;

	for (k = 0; k < p->n; k++) {
		if (p->acts[k].op != AG_ALTER)
			continue;
		for (m = 0; m < p->acts[k].aobjs.n; m++)
			if (p->acts[k].aobjs.v[m] == z) {
				free(p->acts[k].up);
				p->acts[k].up = NULL;	/* dead */
			}
	}
}

/* Drop z (and create it again when B has it) because of what it needs. */
static void
ag_recreate(struct ag_plan *p, size_t z, size_t cause)
{
	const struct cat_obj *o = &p->a->objs[z];
	const struct ag_handler *h = ag_handler(o->kind);
	size_t bi;

	if (!ag_recreatable(o) || h == NULL) {
		ag_msgs_add(&p->problems, "%s %s depends on %s %s, which the "
		    "plan drops or replaces; change it by hand", o->kind,
		    o->id, p->a->objs[cause].kind, p->a->objs[cause].id);
		p->a_gone[z] = true;
		return;
	}
	ag_supersede(p, z);
	h->drop(p, z);
	p->a_gone[z] = true;
	bi = catalog_index(p->b, o->kind, o->id);
	if (bi != (size_t)-1 && !p->b_made[bi])
		h->create(p, bi);
}

/* Children of a recreated object: the drop took them; create B's again. */
static void
ag_recreate_children(struct ag_plan *p, size_t z)
{
	const struct cat_obj *o = &p->a->objs[z];
	const struct ag_handler *h;
	size_t i;

	for (i = 0; i < p->a->n; i++)
		if (p->a->objs[i].parent != NULL && !p->a_gone[i] &&
		    strcmp(p->a->objs[i].parent, o->id) == 0 &&
		    strcmp(p->a->objs[i].kind, "column") != 0)
			ag_covered_a(p, i);
	for (i = 0; i < p->b->n; i++)
		if (p->b->objs[i].parent != NULL && !p->b_made[i] &&
		    strcmp(p->b->objs[i].parent, o->id) == 0 &&
		    (h = ag_handler(p->b->objs[i].kind)) != NULL &&
		    strcmp(p->b->objs[i].kind, "column") != 0)
			h->create(p, i);
}

static void
ag_closure(struct ag_plan *p)
{
	const struct catalog *a = p->a;
	size_t *queue, nq = 0, i, k, z;
	bool *seen;

	queue = xcalloc(a->n ? a->n : 1, sizeof(size_t));
	seen = xcalloc(a->n ? a->n : 1, sizeof(bool));
	for (i = 0; i < a->n; i++)
		if (p->a_gone[i] || p->a_retyped[i] || p->a_replaced[i]) {
			queue[nq++] = i;
			seen[i] = true;
		}
	while (nq > 0) {
		i = queue[--nq];
		for (k = 0; k < a->objs[i].nrdeps; k++) {
			z = a->objs[i].rdeps[k];
			if (p->a_gone[z] || ag_covered_a(p, z))
				continue;
			if (p->a_replaced[i] && !p->a_gone[i] &&
			    strcmp(a->objs[z].kind, "column") == 0)
				continue;	/* the recipe retypes it */
			if (!p->a_gone[i] && !p->a_replaced[i] &&
			    !ag_retype_victim(&a->objs[z]))
				continue;
			ag_recreate(p, z, i);
			if (strcmp(a->objs[z].kind, "matview") == 0 ||
			    strcmp(a->objs[z].kind, "view") == 0)
				ag_recreate_children(p, z);
			if (!seen[z]) {
				seen[z] = true;
				queue[nq++] = z;
			}
		}
	}
	free(queue);
	free(seen);
}

void
ag_diff(struct ag_plan *p, const struct catalog *a, const struct catalog *b,
    const struct ag_opts *opts)
{
	size_t k;

	memset(p, 0, sizeof(*p));
	p->a = a;
	p->b = b;
	p->opts = opts;
	p->a_gone = xcalloc(a->n ? a->n : 1, sizeof(bool));
	p->a_retyped = xcalloc(a->n ? a->n : 1, sizeof(bool));
	p->a_replaced = xcalloc(a->n ? a->n : 1, sizeof(bool));
	p->b_made = xcalloc(b->n ? b->n : 1, sizeof(bool));
	for (k = 0; k < ARRAY_LEN(ag_handlers); k++)
		ag_pass(p, &ag_handlers[k]);
	ag_closure(p);
	if (opts->grants)
		ag_grants(p);
}

void
ag_plan_free(struct ag_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct ag_action *x = &p->acts[i];

		free(x->what);
		free(x->table);
		free(x->up);
		free(x->down);
		free(x->plain_up);
		free(x->plain_down);
		free(x->down_note);
		free(x->aobjs.v);
		free(x->bobjs.v);
		free(x->bneeds.v);
		free(x->after.v);
	}
	free(p->acts);
	free(p->order);
	free(p->a_gone);
	free(p->a_retyped);
	free(p->a_replaced);
	free(p->b_made);
	ag_msgs_clear(&p->problems);
	ag_msgs_clear(&p->notes);
	memset(p, 0, sizeof(*p));
}
