/* SPDX-License-Identifier: MIT */
/* autogen-diff-rel.c: tables, columns, defaults, constraints, indexes. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

#define LOCK_AE "ACCESS EXCLUSIVE"
#define LOCK_SUE "SHARE UPDATE EXCLUSIVE"

/* The A index of the relation named rel if it stays (not dropped). */
static size_t
ag_kept_rel(const struct ag_plan *p, const char *rel)
{
	static const char *const kinds[] = { "table", "matview", "view" };
	size_t k, i;

	if (rel == NULL)
		return (size_t)-1;
	for (k = 0; k < ARRAY_LEN(kinds); k++)
		if ((i = catalog_index(p->a, kinds[k], rel)) != (size_t)-1)
			return p->a_gone[i] ? (size_t)-1 : i;
	return (size_t)-1;
}

/* Online forms apply to relations that exist and stay. */
static bool
ag_online(const struct ag_plan *p, const char *rel)
{
	size_t i = ag_kept_rel(p, rel);

	return i != (size_t)-1 &&
	    cat_get(&p->a->objs[i], "partkey") == NULL;
}

static void
ag_set_table(struct ag_action *x, const char *t, const char *lock)
{
	free(x->table);
	x->table = t != NULL ? xstrdup(t) : NULL;
	x->lock = lock;
}

/* An ALTER action on an existing object (both sides covered). */
/* ---- tables ------------------------------------------------------------ */

static bool
ag_volatile_default(const char *expr)
{
	static const char *const fns[] = { "nextval(", "random(",
		"gen_random_uuid(", "clock_timestamp(", "uuid_generate",
		"timeofday(" };
	size_t k;

	for (k = 0; expr != NULL && k < ARRAY_LEN(fns); k++)
		if (strstr(expr, fns[k]) != NULL)
			return true;
	return false;
}

static void
ag_create_table(struct ag_plan *p, size_t bi)
{
	const struct catalog *b = p->b;
	const struct cat_obj *t = &b->objs[bi];
	size_t k, xi;
	char *s;

	xi = ag_act_index(p, ag_create_obj(p, bi, 0));
	for (k = 0; k < b->n; k++) {
		const struct cat_obj *c = &b->objs[k];

		if (!ag_kind_is(c, "column") || !ag_str_eq(c->parent, t->id))
			continue;
		ag_cover_b(&p->acts[xi], k);
		p->b_made[k] = true;
		if ((s = (char *)catalog_find(b, "default", c->id)) != NULL) {
			size_t d = catalog_index(b, "default", c->id);

			ag_cover_b(&p->acts[xi], d);
			p->b_made[d] = true;
		}
		ag_comment(p, NULL, 0, c, k);
	}
	if (cat_true(t, "rls")) {
		s = xasprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY",
		    t->id);
		ag_cover_b(ag_act(p, AG_CREATE, 15, p->acts[xi].what, s, NULL),
		    bi);
		free(s);
	}
	if (cat_true(t, "force_rls")) {
		s = xasprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY", t->id);
		ag_cover_b(ag_act(p, AG_CREATE, 15, p->acts[xi].what, s, NULL),
		    bi);
		free(s);
	}
}

static void
ag_flag(struct ag_plan *p, size_t ai, size_t bi, const char *key,
    const char *on, const char *off)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	if (cat_true(a, key) == cat_true(b, key))
		return;
	up = xasprintf("ALTER TABLE %s %s", b->id, cat_true(b, key) ? on :
	    off);
	down = xasprintf("ALTER TABLE %s %s", b->id, cat_true(a, key) ? on :
	    off);
	ag_set_table(ag_alter(p, ai, bi, up, down), b->id, LOCK_AE);
	free(up);
	free(down);
}

/* Does the option list l (a=1, b=2) set key k? */
static bool
ag_has_option(const char *l, const char *k, size_t klen)
{
	const char *p = l;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, k, klen) == 0 && p[klen] == '=')
			return true;
		p = strchr(p, ',');
	}
	return false;
}

/* "SET (to...)[, RESET (keys of from missing in to)]" for ALTER TABLE. */
static char *
ag_options_delta(const char *from, const char *to)
{
	char *buf = NULL;
	size_t len, n = 0, klen;
	const char *p = from, *e;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream failed");
	if (to != NULL && *to != '\0')
		fprintf(f, "SET (%s)", to);
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if ((e = strchr(p, '=')) == NULL)
			break;
		klen = (size_t)(e - p);
		if (!ag_has_option(to, p, klen))
			fprintf(f, "%s%.*s", n++ ? ", " : (to != NULL &&
			    *to != '\0' ? ", RESET (" : "RESET ("), (int)klen,
			    p);
		p = strchr(e, ',');
	}
	if (n > 0)
		fputc(')', f);
	fclose(f);
	return buf;
}

static void
ag_table_options(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	const char *oa = cat_get(a, "options"), *ob = cat_get(b, "options");
	char *du, *dd, *up, *down;

	if (ag_str_eq(oa, ob))
		return;
	du = ag_options_delta(oa, ob);
	dd = ag_options_delta(ob, oa);
	up = xasprintf("ALTER TABLE %s %s", b->id, du);
	down = xasprintf("ALTER TABLE %s %s", b->id, dd);
	ag_set_table(ag_alter(p, ai, bi, up, down), b->id, LOCK_AE);
	free(du);
	free(dd);
	free(up);
	free(down);
}

static void
ag_partition(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	if (ag_attr_eq(a, b, "partof") && ag_attr_eq(a, b, "bound"))
		return;
	if (cat_get(a, "partof") != NULL) {
		up = xasprintf("ALTER TABLE %s DETACH PARTITION %s",
		    cat_get(a, "partof"), a->id);
		down = xasprintf("ALTER TABLE %s ATTACH PARTITION %s %s",
		    cat_get(a, "partof"), a->id, cat_get(a, "bound"));
		ag_set_table(ag_alter(p, ai, bi, up, down), a->id, LOCK_AE);
		p->acts[p->n - 1].op = AG_DROP;
		free(up);
		free(down);
	}
	if (cat_get(b, "partof") != NULL) {
		up = xasprintf("ALTER TABLE %s ATTACH PARTITION %s %s",
		    cat_get(b, "partof"), b->id, cat_get(b, "bound"));
		down = xasprintf("ALTER TABLE %s DETACH PARTITION %s",
		    cat_get(b, "partof"), b->id);
		ag_set_table(ag_alter(p, ai, bi, up, down), b->id, LOCK_AE);
		p->acts[p->n - 1].op = AG_CREATE;
		free(up);
		free(down);
	}
}

void
ag_diff_table(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];

	if (!ag_attr_eq(a, b, "partkey")) {
		if (!p->opts->allow_drop) {
			ag_msgs_add(&p->problems, "table %s changes its "
			    "partitioning (%s -> %s): that recreates it and "
			    "loses its rows; give --allow-drop", b->id,
			    cat_get(a, "partkey") ? cat_get(a, "partkey") :
			    "none", cat_get(b, "partkey") ?
			    cat_get(b, "partkey") : "none");
			return;
		}
		ag_drop_rel(p, ai);
		ag_create_rel(p, bi);
		return;
	}
	if (!ag_attr_eq(a, b, "persistence"))
		ag_set_table(ag_alter(p, ai, bi, "", ""), b->id, LOCK_AE);
	if (!ag_attr_eq(a, b, "persistence")) {
		struct ag_action *x = &p->acts[p->n - 1];
		bool unlogged = *cat_get(b, "persistence") == 'u';

		free(x->up);
		free(x->down);
		x->up = xasprintf("ALTER TABLE %s SET %s", b->id,
		    unlogged ? "UNLOGGED" : "LOGGED");
		x->down = xasprintf("ALTER TABLE %s SET %s", b->id,
		    unlogged ? "LOGGED" : "UNLOGGED");
		x->rewrite = true;
	}
	ag_partition(p, ai, bi);
	ag_table_options(p, ai, bi);
	ag_flag(p, ai, bi, "rls", "ENABLE ROW LEVEL SECURITY",
	    "DISABLE ROW LEVEL SECURITY");
	ag_flag(p, ai, bi, "force_rls", "FORCE ROW LEVEL SECURITY",
	    "NO FORCE ROW LEVEL SECURITY");
	ag_comment(p, a, ai, b, bi);
}

void
ag_diff_view(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];

	if (!ag_attr_eq(a, b, "def") || !ag_attr_eq(a, b, "options")) {
		ag_drop_rel(p, ai);
		ag_create_rel(p, bi);
		return;
	}
	ag_comment(p, a, ai, b, bi);
}

/* ---- columns ------------------------------------------------------------ */

/* A type change PostgreSQL makes without rewriting the table. */
static bool
ag_binary_coercible(const char *from, const char *to)
{
	static const char *const fams[] = { "character varying", "numeric",
		"bit varying" };
	const char *pa, *pb, *sa, *sb;
	size_t k, n;

	if (strcmp(to, "text") == 0 &&
	    strncmp(from, "character varying", 17) == 0)
		return true;
	for (k = 0; k < ARRAY_LEN(fams); k++) {
		n = strlen(fams[k]);
		if (strncmp(from, fams[k], n) || strncmp(to, fams[k], n))
			continue;
		pa = from + n;
		pb = to + n;
		if (*pb == '\0')
			return true;	/* no limit any more */
		if (*pa != '(' || *pb != '(')
			return false;
		sa = strchr(pa, ',');
		sb = strchr(pb, ',');
		if (!ag_str_eq(sa, sb))	/* numeric: same scale only */
			return false;
		return strtol(pb + 1, NULL, 10) >= strtol(pa + 1, NULL, 10);
	}
	return false;
}

static void
ag_column_type(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	const char *ta = cat_get(a, "type"), *tb = cat_get(b, "type");
	const char *ca = cat_get(a, "collation"), *cb = cat_get(b, "collation");
	char *up, *down, *cla, *clb;
	struct ag_action *x;

	cla = ca ? xasprintf(" COLLATE %s", ca) : xstrdup("");
	clb = cb ? xasprintf(" COLLATE %s", cb) : xstrdup("");
	up = xasprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING %s::%s",
	    b->parent, ag_name(b), tb, clb, ag_name(b), tb);
	down = xasprintf("ALTER TABLE %s ALTER COLUMN %s TYPE %s%s USING "
	    "%s::%s;\nANALYZE %s", a->parent, ag_name(a), ta, cla, ag_name(a),
	    ta, a->parent);
	x = ag_alter(p, ai, bi, up, down);
	ag_set_table(x, b->parent, LOCK_AE);
	x->rewrite = strcmp(ta, tb) != 0 && !ag_binary_coercible(ta, tb);
	if (!ag_binary_coercible(tb, ta) && strcmp(ta, tb) != 0)
		x->down_note = xasprintf("-- LOSSY: %s back to %s may fail "
		    "or lose precision on existing rows", ag_name(a), ta);
	p->a_retyped[ai] = true;
	free(up);
	free(down);
	up = xasprintf("ANALYZE %s", b->parent);
	ag_after(p, ag_alter(p, ai, bi, up, NULL), &p->acts[p->n - 1]);
	p->acts[p->n - 1].rank = 19;
	free(up);
	free(cla);
	free(clb);
}

/*
 * NOT NULL on an existing column: a validated CHECK first (§5). The check
 * is dropped in the finish revision: the online one must run again whole
 * (VALIDATE of a dropped constraint fails). That drop covers no object,
 * so that nothing built online (a primary key's index) waits for it.
 */
static void
ag_column_notnull(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *b = &p->b->objs[bi];
	char chk[32], *s1, *s2, *s3, *d3;
	size_t x0, x1, x2;
	unsigned h = 5381;
	const char *q;

	for (q = b->id; *q != '\0'; q++)
		h = h * 33 + (unsigned char)*q;
	snprintf(chk, sizeof chk, "migrated_nn_%08x", h);
	s1 = xasprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT "
	    "NULL) NOT VALID", b->parent, chk, ag_name(b));
	s2 = xasprintf("ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
	    b->parent, chk);
	x0 = ag_act_index(p, ag_alter(p, ai, bi, s1, s2));
	ag_set_table(&p->acts[x0], b->parent, LOCK_AE);
	free(s2);
	s2 = xasprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", b->parent,
	    chk);
	x1 = ag_act_index(p, ag_alter(p, ai, bi, s2, NULL));
	p->acts[x1].phase = AG_ONLINE;
	ag_set_table(&p->acts[x1], b->parent, LOCK_SUE);
	ag_after(p, &p->acts[x1], &p->acts[x0]);
	s3 = xasprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
	    b->parent, ag_name(b));
	d3 = xasprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL",
	    b->parent, ag_name(b));
	x2 = ag_act_index(p, ag_alter(p, ai, bi, s3, d3));
	p->acts[x2].phase = AG_ONLINE;
	ag_set_table(&p->acts[x2], b->parent, LOCK_AE);
	ag_after(p, &p->acts[x2], &p->acts[x1]);
	free(s2);
	s2 = xasprintf("ALTER TABLE %s DROP CONSTRAINT %s", b->parent, chk);
	x1 = ag_act_index(p, ag_act(p, AG_ALTER, ag_rank(b->kind),
	    p->acts[x2].what, s2, s1));
	p->acts[x1].phase = AG_FINISH;
	ag_set_table(&p->acts[x1], b->parent, LOCK_AE);
	ag_after(p, &p->acts[x1], &p->acts[x2]);
	free(s1);
	free(s2);
	free(s3);
	free(d3);
}

static void
ag_column_identity(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	const char *ia = cat_get(a, "identity"), *ib = cat_get(b, "identity");
	char *add_a = NULL, *add_b = NULL, *drop, *up;
	struct ag_action *x;

	drop = xasprintf("ALTER TABLE %s ALTER COLUMN %s DROP IDENTITY",
	    b->parent, ag_name(b));
	if (ia != NULL)
		add_a = xasprintf("ALTER TABLE %s ALTER COLUMN %s ADD "
		    "GENERATED %s AS IDENTITY (SEQUENCE NAME %s %s)",
		    a->parent, ag_name(a), *ia == 'a' ? "ALWAYS" : "BY DEFAULT",
		    cat_get(a, "identity_seq"), cat_get(a, "identity_opts"));
	if (ib != NULL)
		add_b = xasprintf("ALTER TABLE %s ALTER COLUMN %s ADD "
		    "GENERATED %s AS IDENTITY (SEQUENCE NAME %s %s)",
		    b->parent, ag_name(b), *ib == 'a' ? "ALWAYS" : "BY DEFAULT",
		    cat_get(b, "identity_seq"), cat_get(b, "identity_opts"));
	if (ia != NULL) {
		/* drop first: a serial sequence of the same name may follow */
		x = ag_alter(p, ai, bi, drop, add_a);
		x->op = AG_DROP;
		ag_set_table(x, b->parent, LOCK_AE);
	}
	if (ib != NULL) {
		size_t xi;
		char *lit = ag_literal(cat_get(b, "identity_seq"));

		x = ag_alter(p, ai, bi, add_b, drop);
		ag_set_table(x, b->parent, LOCK_AE);
		xi = ag_act_index(p, x);
		/* the rows keep their values: continue after them */
		up = xasprintf("SELECT setval(%s::regclass, coalesce(max(%s), "
		    "0) + 1, false) FROM %s", lit, ag_name(b), b->parent);
		x = ag_alter(p, ai, bi, up, NULL);
		x->rank = 18;
		ag_after(p, x, &p->acts[xi]);
		free(up);
		free(lit);
	}
	free(drop);
	free(add_a);
	free(add_b);
}

void
ag_diff_column(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	if (!ag_attr_eq(a, b, "generated")) {
		if (cat_get(a, "generated") == NULL && !p->opts->allow_drop) {
			ag_msgs_add(&p->problems, "column %s becomes "
			    "generated: its values are replaced; give "
			    "--allow-drop", b->id);
			return;
		}
		ag_drop_rel(p, ai);
		ag_create_rel(p, bi);
		return;
	}
	if (!ag_attr_eq(a, b, "type") || !ag_attr_eq(a, b, "collation"))
		ag_column_type(p, ai, bi);
	if (!ag_attr_eq(a, b, "identity") ||
	    !ag_attr_eq(a, b, "identity_seq") ||
	    !ag_attr_eq(a, b, "identity_opts"))
		ag_column_identity(p, ai, bi);
	if (!cat_true(a, "notnull") && cat_true(b, "notnull"))
		ag_column_notnull(p, ai, bi);
	else if (cat_true(a, "notnull") && !cat_true(b, "notnull")) {
		up = xasprintf("ALTER TABLE %s ALTER COLUMN %s DROP NOT NULL",
		    b->parent, ag_name(b));
		down = xasprintf("ALTER TABLE %s ALTER COLUMN %s SET NOT NULL",
		    b->parent, ag_name(b));
		ag_set_table(ag_alter(p, ai, bi, up, down), b->parent, LOCK_AE);
		free(up);
		free(down);
	}
	ag_comment(p, a, ai, b, bi);
}

void
ag_diff_default(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	if (ag_attr_eq(a, b, "expr"))
		return;
	up = ag_ddl_create(p->b, bi, 0);
	down = ag_ddl_create(p->a, ai, 0);
	ag_set_table(ag_alter(p, ai, bi, up, down),
	    p->b->objs[catalog_index(p->b, "column", b->id)].parent, LOCK_AE);
	free(up);
	free(down);
}

void
ag_diff_constraint(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];

	if (!ag_attr_eq(a, b, "def") || !ag_attr_eq(a, b, "type")) {
		ag_drop_rel(p, ai);
		ag_create_rel(p, bi);
		return;
	}
	ag_comment(p, a, ai, b, bi);
}

/*
 * The comment action ci (if made: ci < p->n) on what action xi creates:
 * after it, in its revision (an online CREATE runs in a later one).
 */
static void
ag_comment_follows(struct ag_plan *p, size_t xi, size_t ci)
{
	if (ci >= p->n)
		return;
	p->acts[ci].phase = p->acts[xi].phase;
	ag_after(p, &p->acts[ci], &p->acts[xi]);
}

/*
 * A changed index on a table that stays, without a moment with no index
 * (as pg-schema-diff does it): rename the old one, build the new one
 * concurrently under the name, drop the old one concurrently.
 */
static void
ag_replace_index(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *schema = xstrndup(a->id, (size_t)(ag_base(a->id) - a->id));
	char tmp[40], *tq, *up, *down, *c;
	struct ag_action *x;
	size_t x1, x2;
	unsigned h = 5381;
	const char *q;

	for (q = a->id; *q != '\0'; q++)
		h = h * 33 + (unsigned char)*q;
	snprintf(tmp, sizeof tmp, "migrated_old_%08x", h);
	tq = xasprintf("%s%s", schema, tmp);
	up = xasprintf("ALTER INDEX %s RENAME TO %s", a->id, tmp);
	/* the old one is built again without its comment: put it back */
	c = cat_get(a, "comment") != NULL ? ag_ddl_comment(a,
	    cat_get(a, "comment")) : NULL;
	down = xasprintf("ALTER INDEX %s RENAME TO %s%s%s", tq, ag_base(a->id),
	    c != NULL ? ";\n" : "", c != NULL ? c : "");
	free(c);
	x = ag_act(p, AG_DROP, 10, up, up, down);
	free(x->what);
	x->what = xasprintf("index %s", a->id);
	ag_cover_a(x, ai);
	p->a_gone[ai] = true;
	x->phase = AG_MAIN;	/* a RENAME cannot run twice: not online */
	ag_set_table(x, b->parent, LOCK_AE);
	x1 = ag_act_index(p, x);
	free(up);
	free(down);
	x = ag_create_obj(p, bi, AG_DDL_ONLINE);
	x->phase = AG_ONLINE;
	x->plain_up = ag_ddl_create(p->b, bi, 0);
	x->plain_down = ag_ddl_drop(p->b, bi, 0);
	ag_set_table(x, b->parent, LOCK_SUE);
	ag_after(p, x, &p->acts[x1]);
	x2 = ag_act_index(p, x);
	ag_comment_follows(p, x2, x2 + 1);	/* ag_create_obj's, if any */
	up = xasprintf("DROP INDEX CONCURRENTLY IF EXISTS %s", tq);
	down = ag_ddl_index_as(a, tmp, true);
	x = ag_act(p, AG_ALTER, 10, p->acts[x1].what, up, down);
	x->phase = AG_ONLINE;
	x->plain_up = xasprintf("DROP INDEX %s", tq);
	x->plain_down = ag_ddl_index_as(a, tmp, false);
	ag_set_table(x, b->parent, LOCK_SUE);
	ag_after(p, x, &p->acts[x2]);
	free(up);
	free(down);
	free(tq);
	free(schema);
}

void
ag_diff_index(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];

	if (!ag_attr_eq(a, b, "def") || !ag_attr_eq(a, b, "valid")) {
		if (ag_online(p, b->parent) && cat_true(a, "valid") &&
		    a->nrdeps == 0) {
			ag_replace_index(p, ai, bi);
			return;
		}
		ag_drop_rel(p, ai);
		ag_create_rel(p, bi);
		return;
	}
	ag_comment(p, a, ai, b, bi);
}

/* ---- create and drop ---------------------------------------------------- */

/*
 * A new UNIQUE or PRIMARY KEY on a table that stays (§5): its index built
 * CONCURRENTLY (online), then attached by ADD CONSTRAINT ... USING INDEX (a
 * catalog change; for a primary key the columns are NOT NULL by then: the
 * column diff orders SET NOT NULL first) in a transactional revision after
 * it, so that the online one can run again from its first statement, even
 * after it has run whole (an index that backs a constraint cannot be
 * dropped). The downgrade drops the constraint, which drops the index.
 * Demoted to main, both run in their plain form. false when the definition
 * has no such form.
 */
static bool
ag_create_unique(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	char *idx, *con, *plain, *drop, *what;
	struct ag_action *x;
	size_t x1, x2, n;

	if (!ag_ddl_unique_using(o, false, &plain, &con))
		return false;
	free(con);
	(void)ag_ddl_unique_using(o, true, &idx, &con);
	what = xasprintf("%s %s", o->kind, o->id);
	/* the index alone, if the ADD did not run (or was undone) */
	drop = xasprintf("DROP INDEX CONCURRENTLY IF EXISTS %.*s%s",
	    (int)(ag_base(o->parent) - o->parent), o->parent, ag_name(o));
	x = ag_act(p, AG_CREATE, ag_rank(o->kind), what, idx, drop);
	x->phase = AG_ONLINE;
	x->plain_up = plain;
	x->plain_down = xstrdup("");	/* the constraint's drop took it */
	ag_cover_b(x, bi);
	ag_set_table(x, o->parent, LOCK_SUE);
	x1 = ag_act_index(p, x);
	free(drop);
	drop = ag_ddl_drop(p->b, bi, 0);
	x = ag_act(p, AG_CREATE, ag_rank(o->kind), what, con, drop);
	x->phase = AG_FINISH;
	ag_cover_b(x, bi);
	ag_set_table(x, o->parent, LOCK_AE);
	ag_after(p, x, &p->acts[x1]);
	x2 = ag_act_index(p, x);
	p->b_made[bi] = true;
	n = p->n;
	ag_comment(p, NULL, 0, o, bi);
	ag_comment_follows(p, x2, n);
	free(idx);
	free(con);
	free(drop);
	free(what);
	return true;
}

static void
ag_create_constraint(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	const char *t = cat_get(o, "type"), *def = cat_get(o, "def");
	bool online = ag_online(p, o->parent) && t != NULL &&
	    (*t == 'c' || *t == 'f') && strstr(def, "NOT VALID") == NULL;
	struct ag_action *x;
	size_t xi;
	char *s;

	/* a changed one is swapped in one transaction: never missing */
	if (ag_online(p, o->parent) && t != NULL && (*t == 'u' || *t == 'p') &&
	    catalog_index(p->a, o->kind, o->id) == (size_t)-1 &&
	    ag_create_unique(p, bi))
		return;
	x = ag_create_obj(p, bi, online ? AG_DDL_ONLINE : 0);
	xi = ag_act_index(p, x);
	if (ag_kept_rel(p, o->parent) != (size_t)-1)
		ag_set_table(x, o->parent, *t == 'f' ? "SHARE ROW EXCLUSIVE" :
		    LOCK_AE);
	if (!online)
		return;
	s = xasprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", o->parent,
	    ag_name(o));
	x = ag_act(p, AG_ALTER, 18, p->acts[xi].what, s, NULL);
	x->phase = AG_ONLINE;
	ag_cover_b(x, bi);
	ag_set_table(x, o->parent, LOCK_SUE);
	ag_after(p, x, &p->acts[xi]);
	free(s);
}

static void
ag_create_index(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	bool online = ag_online(p, o->parent);
	struct ag_action *x;
	size_t xi;

	x = ag_create_obj(p, bi, online ? AG_DDL_ONLINE : 0);
	if (!online)
		return;
	x->phase = AG_ONLINE;
	x->plain_up = ag_ddl_create(p->b, bi, 0);
	x->plain_down = ag_ddl_drop(p->b, bi, 0);
	ag_set_table(x, o->parent, LOCK_SUE);
	xi = ag_act_index(p, x);
	ag_comment_follows(p, xi, xi + 1);	/* ag_create_obj's, if any */
}

static void
ag_create_column(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	const struct cat_obj *d = catalog_find(p->b, "default", o->id);
	struct ag_action *x = ag_create_obj(p, bi, 0);

	ag_set_table(x, o->parent, LOCK_AE);
	x->rewrite = cat_get(o, "identity") != NULL ||
	    cat_get(o, "generated") != NULL ||
	    (d != NULL && ag_volatile_default(cat_get(d, "expr")));
	if (d != NULL) {
		size_t di = catalog_index(p->b, "default", o->id);

		ag_cover_b(x, di);
		p->b_made[di] = true;
	}
}

void
ag_create_rel(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	struct ag_action *x;

	if (ag_kind_is(o, "table"))
		ag_create_table(p, bi);
	else if (ag_kind_is(o, "column"))
		ag_create_column(p, bi);
	else if (ag_kind_is(o, "constraint"))
		ag_create_constraint(p, bi);
	else if (ag_kind_is(o, "index"))
		ag_create_index(p, bi);
	else if (ag_kind_is(o, "default")) {
		x = ag_create_obj(p, bi, 0);
		ag_set_table(x, p->b->objs[catalog_index(p->b, "column",
		    o->id)].parent, LOCK_AE);
	} else
		(void)ag_create_obj(p, bi, 0);
}

static void
ag_drop_data(struct ag_plan *p, size_t ai, const char *what)
{
	const struct cat_obj *o = &p->a->objs[ai];
	struct ag_action *x;

	if (!p->opts->allow_drop)
		ag_msgs_add(&p->problems, "%s %s is not in the desired schema: "
		    "dropping it loses its data; give --allow-drop (or "
		    "--rename %s:%s=NEW if it was renamed)", o->kind, o->id,
		    o->kind, o->id);
	x = ag_drop_obj(p, ai, 0);
	x->loses_data = true;
	x->down_note = xasprintf("-- LOSSY: the %s of %s %s are not "
	    "restored", what, o->kind, o->id);
	ag_set_table(x, ag_kind_is(o, "table") ? NULL : o->parent, LOCK_AE);
}

void
ag_drop_rel(struct ag_plan *p, size_t ai)
{
	const struct cat_obj *o = &p->a->objs[ai];
	bool online;
	struct ag_action *x;

	if (ag_kind_is(o, "table")) {
		ag_drop_data(p, ai, "rows");
		return;
	}
	if (ag_kind_is(o, "column")) {
		if (cat_get(o, "generated") != NULL) {
			x = ag_drop_obj(p, ai, 0);
			ag_set_table(x, o->parent, LOCK_AE);
		} else
			ag_drop_data(p, ai, "values");
		return;
	}
	if (ag_kind_is(o, "index")) {
		online = ag_online(p, o->parent);
		x = ag_drop_obj(p, ai, online ? AG_DDL_ONLINE : 0);
		if (online) {
			x->phase = AG_ONLINE;
			x->plain_up = ag_ddl_drop(p->a, ai, 0);
			x->plain_down = ag_ddl_create(p->a, ai,
			    AG_DDL_CHILDREN);
			ag_set_table(x, o->parent, LOCK_SUE);
		}
		return;
	}
	x = ag_drop_obj(p, ai, 0);
	if (ag_kind_is(o, "default")) {
		ag_set_table(x, p->a->objs[catalog_index(p->a, "column",
		    o->id)].parent, LOCK_AE);
	} else if (ag_kind_is(o, "constraint"))
		ag_set_table(x, ag_kept_rel(p, o->parent) != (size_t)-1 ?
		    o->parent : NULL, LOCK_AE);
}
