/* SPDX-License-Identifier: MIT */
/* autogen-diff-type.c: schemas, extensions, enums, domains, composites,
 * sequences. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "autogen.h"
#include "xmalloc.h"

/* ---- enums -------------------------------------------------------------- */

static json_t *
ag_labels(const struct cat_obj *o)
{
	json_t *a = json_loads(cat_get(o, "labels") ? cat_get(o, "labels") :
	    "[]", 0, NULL);

	return a != NULL ? a : json_array();
}

static bool
ag_has_label(const json_t *a, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (ag_str_eq(json_string_value(json_array_get(a, i)), s))
			return true;
	return false;
}

/* Every label of a is in b, in the same order: B only adds. */
static bool
ag_labels_grow(const json_t *a, const json_t *b)
{
	size_t i, j = 0;

	for (i = 0; i < json_array_size(a); i++) {
		while (j < json_array_size(b) &&
		    !ag_str_eq(json_string_value(json_array_get(a, i)),
		    json_string_value(json_array_get(b, j))))
			j++;
		if (j++ == json_array_size(b))
			return false;
	}
	return true;
}

/* "s.name" -> the unquoted temporary name the old type is renamed to. */
static char *
ag_tmp_type(const char *id)
{
	unsigned h = 5381;

	for (; *id != '\0'; id++)
		h = h * 33 + (unsigned char)*id;
	return xasprintf("migrated_old_%08x", h);
}

/* The schema part of "s.name" (quoted identifiers kept). */
static char *
ag_schema_of(const char *id)
{
	const char *p = id;
	bool q = false;

	for (; *p != '\0'; p++) {
		if (*p == '"')
			q = !q;
		else if (*p == '.' && !q)
			return xstrndup(id, (size_t)(p - id));
	}
	return xstrdup("public");
}

/* Is column c of enum type t (or an array of it)? */
static int
ag_enum_column(const struct cat_obj *c, const struct cat_obj *t)
{
	const char *ty = cat_get(c, "type");
	size_t n = strlen(t->id);

	if (strcmp(c->kind, "column") != 0 || ty == NULL ||
	    strncmp(ty, t->id, n) != 0)
		return 0;
	return ty[n] == '\0' ? 1 : strcmp(ty + n, "[]") == 0 ? 2 : 0;
}

/*
 * Text that recreates enum t (of catalog from) with the labels of target
 * (of catalog to): rename the old type, create the new one, cast every
 * column present on both sides (its default set aside meanwhile), drop the
 * old type. The downgrade of added labels; the upgrade uses
 * ag_enum_replace(), whose steps the closure can order around.
 */
static char *
ag_enum_recipe(const struct catalog *from, const struct catalog *to,
    const struct cat_obj *t, const struct cat_obj *target)
{
	char *tmp = ag_tmp_type(t->id), *schema = ag_schema_of(t->id);
	char *labels = ag_enum_labels(cat_get(target, "labels"));
	char *buf = NULL;
	size_t len, i;
	FILE *f = open_memstream(&buf, &len);
	const struct cat_obj *c, *d;
	int kind;

	if (f == NULL)
		fatal("open_memstream failed");
	fprintf(f, "ALTER TYPE %s RENAME TO %s;\nCREATE TYPE %s AS ENUM (%s)",
	    t->id, tmp, t->id, labels);
	for (i = 0; i < from->n; i++) {
		c = &from->objs[i];
		if ((kind = ag_enum_column(c, t)) == 0 ||
		    catalog_find(to, "column", c->id) == NULL)
			continue;
		fprintf(f, ";\nALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
		    c->parent, ag_name(c));
		fprintf(f, ";\nALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING "
		    "%s::text%s::%s%s", c->parent, ag_name(c), t->id,
		    kind == 2 ? "[]" : "", ag_name(c), kind == 2 ? "[]" : "",
		    t->id, kind == 2 ? "[]" : "");
		if ((d = catalog_find(to, "default", c->id)) != NULL)
			fprintf(f, ";\nALTER TABLE %s ALTER COLUMN %s SET "
			    "DEFAULT %s", c->parent, ag_name(c),
			    cat_get(d, "expr"));
	}
	fprintf(f, ";\nDROP TYPE %s.%s", schema, tmp);
	fclose(f);
	free(tmp);
	free(schema);
	free(labels);
	return buf;
}

/*
 * Labels removed or reordered: the same recipe as steps (rename, create,
 * cast each column, drop the old type), each with its inverse, so that
 * the closure drops the type's other dependants before and creates them
 * after, and the downgrade is the steps undone in reverse (§5).
 */
static void
ag_enum_replace(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *tmp = ag_tmp_type(a->id), *schema = ag_schema_of(a->id);
	char *tq = xasprintf("%s.%s", schema, tmp), *la, *lb, *up, *down;
	const struct cat_obj *c;
	struct ag_action *x;
	size_t prev, k, *cols = NULL, ncols = 0;
	int kind;

	la = ag_enum_labels(cat_get(a, "labels"));
	lb = ag_enum_labels(cat_get(b, "labels"));
	up = xasprintf("ALTER TYPE %s RENAME TO %s", a->id, tmp);
	down = xasprintf("ALTER TYPE %s RENAME TO %s", tq, ag_base(a->id));
	prev = ag_act_index(p, ag_alter(p, ai, bi, up, down));
	free(up);
	free(down);
	up = xasprintf("CREATE TYPE %s AS ENUM (%s)", b->id, lb);
	down = xasprintf("DROP TYPE %s", b->id);
	x = ag_alter(p, ai, bi, up, down);
	ag_after(p, x, &p->acts[prev]);
	prev = ag_act_index(p, x);
	free(up);
	free(down);
	for (k = 0; k < p->a->n; k++) {
		c = &p->a->objs[k];
		if ((kind = ag_enum_column(c, a)) == 0 ||
		    catalog_find(p->b, "column", c->id) == NULL)
			continue;
		up = xasprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING "
		    "%s::text%s::%s%s", c->parent, ag_name(c), b->id,
		    kind == 2 ? "[]" : "", ag_name(c), kind == 2 ? "[]" : "",
		    b->id, kind == 2 ? "[]" : "");
		down = xasprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s "
		    "USING %s::text%s::%s%s", c->parent, ag_name(c), tq,
		    kind == 2 ? "[]" : "", ag_name(c), kind == 2 ? "[]" : "",
		    tq, kind == 2 ? "[]" : "");
		x = ag_alter(p, ai, bi, up, down);
		ag_after(p, x, &p->acts[prev]);
		free(x->table);
		x->table = xstrdup(c->parent);
		x->lock = "ACCESS EXCLUSIVE";
		x->rewrite = true;
		cols = xreallocarray(cols, ncols + 1, sizeof(size_t));
		cols[ncols++] = ag_act_index(p, x);
		p->a_retyped[k] = true;
		free(up);
		free(down);
	}
	up = xasprintf("DROP TYPE %s", tq);
	down = xasprintf("CREATE TYPE %s AS ENUM (%s)", tq, la);
	x = ag_alter(p, ai, bi, up, down);
	x->down_note = xasprintf("-- LOSSY: fails if rows hold a label that "
	    "%s did not have", a->id);
	ag_after(p, x, &p->acts[prev]);
	for (k = 0; k < ncols; k++)
		ag_after(p, &p->acts[p->n - 1], &p->acts[cols[k]]);
	p->a_replaced[ai] = true;
	free(up);
	free(down);
	free(cols);
	free(la);
	free(lb);
	free(tq);
	free(tmp);
	free(schema);
}

/* Objects other than columns and defaults that need enum a and stay. */
static bool
ag_enum_shared_dependants(const struct ag_plan *p, size_t ai)
{
	const struct cat_obj *a = &p->a->objs[ai], *z;
	size_t k;

	for (k = 0; k < a->nrdeps; k++) {
		z = &p->a->objs[a->rdeps[k]];
		if (strcmp(z->kind, "column") != 0 &&
		    strcmp(z->kind, "default") != 0 &&
		    catalog_find(p->b, z->kind, z->id) != NULL)
			return true;
	}
	return false;
}

static void
ag_diff_enum(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	json_t *la = ag_labels(a), *lb = ag_labels(b);
	char *up, *down, *lit, *ref;
	struct ag_action *x;
	size_t k, first = (size_t)-1;
	const char *s;
	bool shared = ag_enum_shared_dependants(p, ai);

	if (ag_attr_eq(a, b, "labels"))
		goto out;
	if (!ag_labels_grow(la, lb)) {
		ag_enum_replace(p, ai, bi);
		ag_msgs_add(&p->notes, "enum %s loses or reorders labels: "
		    "recreated under its columns; the upgrade fails if rows "
		    "hold a removed label", a->id);
		goto out;
	}
	for (k = 0; k < json_array_size(lb); k++) {
		s = json_string_value(json_array_get(lb, k));
		if (ag_has_label(la, s))
			continue;
		lit = ag_literal(s);
		ref = ag_literal(json_string_value(json_array_get(lb,
		    k > 0 ? k - 1 : 1)));
		up = json_array_size(lb) == 1 ?
		    xasprintf("ALTER TYPE %s ADD VALUE %s", b->id, lit) :
		    xasprintf("ALTER TYPE %s ADD VALUE %s %s %s", b->id, lit,
		    k > 0 ? "AFTER" : "BEFORE", ref);
		down = first == (size_t)-1 && !shared ?
		    ag_enum_recipe(p->b, p->a, b, a) : NULL;
		x = ag_alter(p, ai, bi, up, down);
		if (first == (size_t)-1) {
			first = ag_act_index(p, x);
			x->irreversible = shared;
			x->down_note = xasprintf("-- LOSSY: fails if rows hold "
			    "a label added by the upgrade");
		} else
			ag_after(p, x, &p->acts[p->n - 2]);
		free(up);
		free(down);
		free(lit);
		free(ref);
	}
	if (shared)
		ag_msgs_add(&p->notes, "enum %s gains labels: PostgreSQL "
		    "cannot remove them while other objects use the type, so "
		    "the revision is irreversible", a->id);
out:
	json_decref(la);
	json_decref(lb);
	ag_comment(p, a, ai, b, bi);
}

/* ---- composite types ---------------------------------------------------- */

static const char *
ag_attr_name(const json_t *e)
{
	return json_string_value(json_array_get(e, 0));
}

static json_t *
ag_attr_find(const json_t *l, const char *name)
{
	size_t i;

	for (i = 0; i < json_array_size(l); i++)
		if (ag_str_eq(ag_attr_name(json_array_get(l, i)), name))
			return json_array_get(l, i);
	return NULL;
}

/* "[name ]type[ COLLATE c]" of one attribute; no name when verb is "". */
static void
ag_attr_def(FILE *f, const char *verb, const json_t *e)
{
	const char *coll = json_string_value(json_array_get(e, 2));

	if (*verb != '\0')
		fprintf(f, "%s%s ", verb, ag_attr_name(e));
	fprintf(f, "%s%s%s", json_string_value(json_array_get(e, 1)),
	    coll ? " COLLATE " : "", coll ? coll : "");
}

/*
 * ALTER TYPE steps from attribute list la to lb, or NULL when the order
 * cannot be reached that way (then the type is recreated).
 */
static char *
ag_composite_steps(const char *id, const json_t *la, const json_t *lb)
{
	char *buf = NULL;
	size_t len, i, j = 0, n = 0;
	json_t *e, *o;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream failed");
	fprintf(f, "ALTER TYPE %s", id);
	for (i = 0; i < json_array_size(la); i++) {
		e = json_array_get(la, i);
		if ((o = ag_attr_find(lb, ag_attr_name(e))) == NULL) {
			fprintf(f, "%s DROP ATTRIBUTE %s", n++ ? "," : "",
			    ag_attr_name(e));
			continue;
		}
		if (!ag_str_eq(ag_attr_name(json_array_get(lb, j)),
		    ag_attr_name(e)))
			goto reorder;
		j++;
		if (!json_equal(e, o)) {
			fprintf(f, "%s ALTER ATTRIBUTE %s TYPE ",
			    n++ ? "," : "", ag_attr_name(o));
			ag_attr_def(f, "", o);
		}
	}
	for (; j < json_array_size(lb); j++) {
		e = json_array_get(lb, j);
		if (ag_attr_find(la, ag_attr_name(e)) != NULL)
			goto reorder;
		fprintf(f, "%s", n++ ? "," : "");
		ag_attr_def(f, " ADD ATTRIBUTE ", e);
	}
	fclose(f);
	return buf;
reorder:
	fclose(f);
	free(buf);
	return NULL;
}

static void
ag_diff_composite(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	json_t *la, *lb;
	char *up, *down;

	if (!ag_attr_eq(a, b, "attributes")) {
		la = json_loads(cat_get(a, "attributes"), 0, NULL);
		lb = json_loads(cat_get(b, "attributes"), 0, NULL);
		up = ag_composite_steps(b->id, la, lb);
		down = ag_composite_steps(a->id, lb, la);
		if (up != NULL && down != NULL)
			ag_alter(p, ai, bi, up, down);
		else {
			ag_drop_type(p, ai);
			ag_create_type(p, bi);
		}
		free(up);
		free(down);
		json_decref(la);
		json_decref(lb);
	}
	ag_comment(p, a, ai, b, bi);
}

/* ---- domains ------------------------------------------------------------ */

static void
ag_diff_domain(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	if (!ag_attr_eq(a, b, "basetype") || !ag_attr_eq(a, b, "collation")) {
		ag_msgs_add(&p->problems, "domain %s changes its type (%s -> "
		    "%s): not planned; write it by hand", b->id,
		    cat_get(a, "basetype"), cat_get(b, "basetype"));
		return;
	}
	if (!ag_attr_eq(a, b, "default")) {
		up = cat_get(b, "default") ? xasprintf("ALTER DOMAIN %s SET "
		    "DEFAULT %s", b->id, cat_get(b, "default")) :
		    xasprintf("ALTER DOMAIN %s DROP DEFAULT", b->id);
		down = cat_get(a, "default") ? xasprintf("ALTER DOMAIN %s SET "
		    "DEFAULT %s", a->id, cat_get(a, "default")) :
		    xasprintf("ALTER DOMAIN %s DROP DEFAULT", a->id);
		ag_alter(p, ai, bi, up, down);
		free(up);
		free(down);
	}
	if (cat_true(a, "notnull") != cat_true(b, "notnull")) {
		up = xasprintf("ALTER DOMAIN %s %s NOT NULL", b->id,
		    cat_true(b, "notnull") ? "SET" : "DROP");
		down = xasprintf("ALTER DOMAIN %s %s NOT NULL", b->id,
		    cat_true(a, "notnull") ? "SET" : "DROP");
		ag_alter(p, ai, bi, up, down);
		free(up);
		free(down);
	}
	ag_comment(p, a, ai, b, bi);
}

/* ---- sequences ---------------------------------------------------------- */

static char *
ag_seq_options(const struct cat_obj *o)
{
	return xasprintf("ALTER SEQUENCE %s AS %s INCREMENT BY %s MINVALUE %s "
	    "MAXVALUE %s START WITH %s CACHE %s%s", o->id, cat_get(o, "type"),
	    cat_get(o, "increment"), cat_get(o, "min"), cat_get(o, "max"),
	    cat_get(o, "start"), cat_get(o, "cache"),
	    cat_true(o, "cycle") ? " CYCLE" : " NO CYCLE");
}

static char *
ag_seq_owner(const struct cat_obj *o)
{
	const char *v = cat_get(o, "owned_by");

	return xasprintf("ALTER SEQUENCE %s OWNED BY %s", o->id,
	    v != NULL ? v : "NONE");
}

/* OWNED BY (and carrying on after the column's values) as its own step. */
static void
ag_seq_own(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *b = &p->b->objs[bi];
	const struct cat_obj *a = ai != (size_t)-1 ? &p->a->objs[ai] : NULL;
	const char *ob = cat_get(b, "owned_by");
	const struct cat_obj *col;
	char *up, *down, *what, *lit;
	struct ag_action *x;
	size_t ci;

	up = ag_seq_owner(b);
	down = a != NULL ? ag_seq_owner(a) : xasprintf("ALTER SEQUENCE %s "
	    "OWNED BY NONE", b->id);
	what = xasprintf("sequence %s", b->id);
	/* needs, never covers, the sequence: the nextval default of the
	 * owning column depends on it, the ownership the other way round */
	x = ag_act(p, AG_ALTER, 18, what, up, down);
	x->bneeds.v = xreallocarray(NULL, 2, sizeof(size_t));
	x->bneeds.v[x->bneeds.n++] = bi;
	if (ob != NULL && (ci = catalog_index(p->b, "column", ob)) !=
	    (size_t)-1) {
		x->bneeds.v[x->bneeds.n++] = ci;
		col = &p->b->objs[ci];
		if (catalog_find(p->a, "column", col->id) != NULL) {
			size_t xi = ag_act_index(p, x);

			free(up);
			lit = ag_literal(b->id);
			up = xasprintf("SELECT setval(%s::regclass, coalesce("
			    "max(%s), 0) + 1, false) FROM %s", lit,
			    ag_name(col), col->parent);
			x = ag_act(p, AG_ALTER, 18, what, up, NULL);
			ag_after(p, x, &p->acts[xi]);
			free(lit);
		}
	}
	free(up);
	free(down);
	free(what);
}

static void
ag_diff_sequence(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	static const char *const keys[] = { "type", "start", "increment",
		"min", "max", "cache", "cycle" };
	char *up, *down;
	size_t k;

	for (k = 0; k < ARRAY_LEN(keys); k++)
		if (!ag_attr_eq(a, b, keys[k]))
			break;
	if (k < ARRAY_LEN(keys)) {
		up = ag_seq_options(b);
		down = ag_seq_options(a);
		ag_alter(p, ai, bi, up, down);
		free(up);
		free(down);
	}
	if (!ag_attr_eq(a, b, "owned_by"))
		ag_seq_own(p, ai, bi);
	ag_comment(p, a, ai, b, bi);
}

/* ---- dispatch ----------------------------------------------------------- */

void
ag_diff_type(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;
	struct ag_action *x;

	if (ag_kind_is(a, "enum"))
		ag_diff_enum(p, ai, bi);
	else if (ag_kind_is(a, "composite"))
		ag_diff_composite(p, ai, bi);
	else if (ag_kind_is(a, "domain"))
		ag_diff_domain(p, ai, bi);
	else if (ag_kind_is(a, "sequence"))
		ag_diff_sequence(p, ai, bi);
	else if (ag_kind_is(a, "domcheck")) {
		if (!ag_attr_eq(a, b, "def")) {
			ag_drop_type(p, ai);
			ag_create_type(p, bi);
		} else
			ag_comment(p, a, ai, b, bi);
	} else if (ag_kind_is(a, "extension")) {
		if (!ag_attr_eq(a, b, "schema")) {
			up = xasprintf("ALTER EXTENSION %s SET SCHEMA %s",
			    b->id, cat_get(b, "schema"));
			down = xasprintf("ALTER EXTENSION %s SET SCHEMA %s",
			    a->id, cat_get(a, "schema"));
			ag_alter(p, ai, bi, up, down);
			free(up);
			free(down);
		}
		if (!ag_attr_eq(a, b, "version")) {
			down = ag_literal(cat_get(b, "version"));
			up = xasprintf("ALTER EXTENSION %s UPDATE TO %s", b->id,
			    down);
			x = ag_alter(p, ai, bi, up, NULL);
			x->irreversible = true;
			ag_msgs_add(&p->notes, "extension %s is updated to "
			    "version %s: an update has no way back, so the "
			    "revision is irreversible", b->id, down);
			free(up);
			free(down);
		}
		ag_comment(p, a, ai, b, bi);
	} else
		ag_comment(p, a, ai, b, bi);
}

void
ag_create_type(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	struct ag_action *x;
	size_t xi, di;
	char *s;

	if (ag_kind_is(o, "domcheck") &&
	    (di = catalog_index(p->a, "domain", o->parent)) != (size_t)-1 &&
	    !p->a_gone[di] && strstr(cat_get(o, "def"), "NOT VALID") == NULL) {
		xi = ag_act_index(p, ag_create_obj(p, bi, AG_DDL_ONLINE));
		s = xasprintf("ALTER DOMAIN %s VALIDATE CONSTRAINT %s",
		    o->parent, ag_name(o));
		x = ag_act(p, AG_ALTER, 18, p->acts[xi].what, s, NULL);
		x->phase = AG_ONLINE;
		ag_cover_b(x, bi);
		ag_after(p, x, &p->acts[xi]);
		free(s);
		return;
	}
	(void)ag_create_obj(p, bi, 0);
	if (ag_kind_is(o, "sequence") && cat_get(o, "owned_by") != NULL)
		ag_seq_own(p, (size_t)-1, bi);
}

/* The sequence goes with the table or column that owns it. */
static bool
ag_owner_dropped(struct ag_plan *p, const struct cat_obj *o)
{
	const char *ob = cat_get(o, "owned_by");
	const struct cat_obj *col;

	if (ob == NULL || (col = catalog_find(p->a, "column", ob)) == NULL)
		return false;
	return catalog_find(p->b, "column", ob) == NULL ||
	    catalog_find(p->b, "table", col->parent) == NULL;
}

void
ag_drop_type(struct ag_plan *p, size_t ai)
{
	const struct cat_obj *o = &p->a->objs[ai];
	struct ag_action *x;

	if (ag_kind_is(o, "sequence") && ag_owner_dropped(p, o)) {
		ag_gone(p, ai);
		return;
	}
	if (ag_kind_is(o, "sequence") && cat_get(o, "owned_by") == NULL &&
	    !p->opts->allow_drop)
		ag_msgs_add(&p->problems, "sequence %s is not in the desired "
		    "schema: dropping it loses its value; give --allow-drop",
		    o->id);
	x = ag_drop_obj(p, ai, 0);
	if (ag_kind_is(o, "sequence"))
		x->down_note = xasprintf("-- LOSSY: the value of sequence %s "
		    "is not restored", o->id);
}
