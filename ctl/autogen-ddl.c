/* SPDX-License-Identifier: MIT */
/* autogen-ddl.c: the CREATE and DROP text of one modelled object. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "autogen.h"
#include "xmalloc.h"

static FILE *
ag_mem(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (f == NULL)
		fatal("open_memstream: %s", strerror(errno));
	return f;
}

static char *
ag_mem_done(FILE *f, char **buf)
{
	if (fclose(f) != 0)
		fatal("open_memstream: %s", strerror(errno));
	return *buf;
}

/* Statements are separated by ";\n" inside one action's text. */
static void
ag_stmt(FILE *f, bool *first, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	fprintf(f, "%s%s", *first ? "" : ";\n", s);
	*first = false;
}

char *
ag_enum_labels(const char *json)
{
	json_t *a = json_loads(json != NULL ? json : "[]", 0, NULL);
	char *buf = NULL, *lit;
	size_t len, i;
	FILE *f = ag_mem(&buf, &len);

	for (i = 0; i < json_array_size(a); i++) {
		lit = ag_literal(json_string_value(json_array_get(a, i)) ?
		    json_string_value(json_array_get(a, i)) : "");
		fprintf(f, "%s%s", i ? ", " : "", lit);
		free(lit);
	}
	json_decref(a);
	return ag_mem_done(f, &buf);
}

static char *
ag_composite_attrs(const char *json)
{
	json_t *a = json_loads(json != NULL ? json : "[]", 0, NULL), *e;
	char *buf = NULL;
	size_t len, i;
	FILE *f = ag_mem(&buf, &len);
	const char *coll;

	for (i = 0; i < json_array_size(a); i++) {
		e = json_array_get(a, i);
		fprintf(f, "%s%s %s", i ? ", " : "",
		    json_string_value(json_array_get(e, 0)),
		    json_string_value(json_array_get(e, 1)));
		if ((coll = json_string_value(json_array_get(e, 2))) != NULL)
			fprintf(f, " COLLATE %s", coll);
	}
	json_decref(a);
	return ag_mem_done(f, &buf);
}

/* The default object of column o, or NULL. */
static const struct cat_obj *
ag_default_of(const struct catalog *c, const struct cat_obj *col)
{
	return catalog_find(c, "default", col->id);
}

char *
ag_ddl_coldef(const struct catalog *c, size_t i)
{
	const struct cat_obj *o = &c->objs[i], *d;
	const char *v;
	char *buf = NULL;
	size_t len;
	FILE *f = ag_mem(&buf, &len);

	fprintf(f, "%s %s", ag_name(o), cat_get(o, "type"));
	if ((v = cat_get(o, "collation")) != NULL)
		fprintf(f, " COLLATE %s", v);
	if ((v = cat_get(o, "generated")) != NULL)
		fprintf(f, " GENERATED ALWAYS AS (%s) STORED", v);
	if ((v = cat_get(o, "identity")) != NULL)
		fprintf(f, " GENERATED %s AS IDENTITY (SEQUENCE NAME %s %s)",
		    *v == 'a' ? "ALWAYS" : "BY DEFAULT",
		    cat_get(o, "identity_seq"), cat_get(o, "identity_opts"));
	if ((d = ag_default_of(c, o)) != NULL)
		fprintf(f, " DEFAULT %s", cat_get(d, "expr"));
	if (cat_true(o, "notnull"))
		fprintf(f, " NOT NULL");
	return ag_mem_done(f, &buf);
}

static int
col_cmp(const void *pa, const void *pb)
{
	const struct cat_obj *a = *(const struct cat_obj *const *)pa;
	const struct cat_obj *b = *(const struct cat_obj *const *)pb;
	long x = strtol(cat_get(a, "_attnum") ? cat_get(a, "_attnum") : "0",
	    NULL, 10);
	long y = strtol(cat_get(b, "_attnum") ? cat_get(b, "_attnum") : "0",
	    NULL, 10);

	return x < y ? -1 : x > y;
}

static void
ag_ddl_table(FILE *f, const struct catalog *c, size_t ti)
{
	const struct cat_obj *t = &c->objs[ti], **cols = NULL;
	size_t n = 0, k;
	const char *v;
	char *def;

	for (k = 0; k < c->n; k++)
		if (ag_kind_is(&c->objs[k], "column") && c->objs[k].parent &&
		    strcmp(c->objs[k].parent, t->id) == 0) {
			cols = xreallocarray(cols, n + 1, sizeof(*cols));
			cols[n++] = &c->objs[k];
		}
	if (n > 1)
		qsort(cols, n, sizeof(*cols), col_cmp);
	fprintf(f, "CREATE %sTABLE %s",
	    (v = cat_get(t, "persistence")) && *v == 'u' ? "UNLOGGED " : "",
	    t->id);
	if ((v = cat_get(t, "partof")) != NULL)
		fprintf(f, " PARTITION OF %s", v);
	if (n > 0 || cat_get(t, "partof") == NULL)
		fprintf(f, " (");
	for (k = 0; k < n; k++) {
		def = ag_ddl_coldef(c, (size_t)(cols[k] - c->objs));
		fprintf(f, "%s\n    %s", k ? "," : "", def);
		free(def);
	}
	if (n > 0 || cat_get(t, "partof") == NULL)
		fprintf(f, "%s)", n > 0 ? "\n" : "");
	if ((v = cat_get(t, "bound")) != NULL)
		fprintf(f, " %s", v);
	if ((v = cat_get(t, "partkey")) != NULL)
		fprintf(f, " PARTITION BY %s", v);
	if ((v = cat_get(t, "options")) != NULL && *v != '\0')
		fprintf(f, " WITH (%s)", v);
	free(cols);
}

static void
ag_ddl_view(FILE *f, const struct cat_obj *o)
{
	const char *def = cat_get(o, "def"), *opts = cat_get(o, "options");
	size_t len = def ? strlen(def) : 0;
	bool mat = ag_kind_is(o, "matview");

	while (len > 0 && (def[len - 1] == ';' || def[len - 1] == '\n' ||
	    def[len - 1] == ' '))
		len--;
	fprintf(f, "CREATE %sVIEW %s", mat ? "MATERIALIZED " : "", o->id);
	if (opts != NULL && *opts != '\0')
		fprintf(f, " WITH (%s)", opts);
	fprintf(f, " AS\n%.*s", (int)len, def ? def : "");
	if (mat)
		fprintf(f, "\n  WITH DATA");
}

/*
 * Before a CREATE INDEX CONCURRENTLY of a transactional: false revision:
 * a cancelled build (lock_timeout) leaves an invalid index under the
 * name, which a re-run from the first statement then drops (lint's
 * non-idempotent-non-transactional). schema_of: an id whose schema the
 * index is in.
 */
static void
ag_ddl_redo(FILE *f, const char *schema_of, const char *name)
{
	fprintf(f, "DROP INDEX CONCURRENTLY IF EXISTS %.*s%s;\n",
	    (int)(ag_base(schema_of) - schema_of), schema_of, name);
}

/* pg_get_indexdef text, without ONLY, with CONCURRENTLY when asked. */
static void
ag_ddl_index(FILE *f, const struct cat_obj *o, bool concurrently)
{
	const char *def = cat_get(o, "def"), *p, *only;
	char *head;

	if (def == NULL)
		return;
	p = strstr(def, "INDEX ");
	if (p == NULL) {
		fputs(def, f);
		return;
	}
	p += strlen("INDEX ");
	fprintf(f, "%.*s%s", (int)(p - def), def,
	    concurrently ? "CONCURRENTLY " : "");
	head = xasprintf("%s ON ONLY ", ag_base(o->id));
	if (strncmp(p, head, strlen(head)) == 0 &&
	    (only = p + strlen(ag_base(o->id)) + strlen(" ON ")) != NULL)
		fprintf(f, "%.*s%s", (int)(only - p), p,
		    only + strlen("ONLY "));
	else
		fputs(p, f);
	free(head);
}

static const char *
ag_polcmd(const char *c)
{
	switch (c != NULL ? *c : '*') {
	case 'r':
		return "SELECT";
	case 'a':
		return "INSERT";
	case 'w':
		return "UPDATE";
	case 'd':
		return "DELETE";
	default:
		return "ALL";
	}
}

static void
ag_ddl_policy(FILE *f, const struct cat_obj *o)
{
	const char *v;

	fprintf(f, "CREATE POLICY %s ON %s AS %s FOR %s TO %s", ag_name(o),
	    o->parent, cat_true(o, "permissive") ? "PERMISSIVE" :
	    "RESTRICTIVE", ag_polcmd(cat_get(o, "cmd")),
	    cat_get(o, "roles") ? cat_get(o, "roles") : "PUBLIC");
	if ((v = cat_get(o, "using")) != NULL)
		fprintf(f, " USING (%s)", v);
	if ((v = cat_get(o, "check")) != NULL)
		fprintf(f, " WITH CHECK (%s)", v);
}

static const char *
ag_trigger_state(const char *e)
{
	switch (e != NULL ? *e : 'O') {
	case 'D':
		return "DISABLE";
	case 'R':
		return "ENABLE REPLICA";
	case 'A':
		return "ENABLE ALWAYS";
	default:
		return "ENABLE";
	}
}

char *
ag_trigger_enable(const struct cat_obj *o)
{
	return xasprintf("ALTER TABLE %s %s TRIGGER %s", o->parent,
	    ag_trigger_state(cat_get(o, "enabled")), ag_name(o));
}

static void
ag_ddl_sequence(FILE *f, const struct cat_obj *o)
{
	fprintf(f, "CREATE SEQUENCE %s AS %s INCREMENT BY %s MINVALUE %s "
	    "MAXVALUE %s START WITH %s CACHE %s%s", o->id,
	    cat_get(o, "type"), cat_get(o, "increment"), cat_get(o, "min"),
	    cat_get(o, "max"), cat_get(o, "start"), cat_get(o, "cache"),
	    cat_true(o, "cycle") ? " CYCLE" : " NO CYCLE");
}

static void
ag_ddl_domain(FILE *f, const struct cat_obj *o)
{
	const char *v;

	fprintf(f, "CREATE DOMAIN %s AS %s", o->id, cat_get(o, "basetype"));
	if ((v = cat_get(o, "collation")) != NULL)
		fprintf(f, " COLLATE %s", v);
	if ((v = cat_get(o, "default")) != NULL)
		fprintf(f, " DEFAULT %s", v);
	if (cat_true(o, "notnull"))
		fprintf(f, " NOT NULL");
}

/* The text that creates object i of c alone (children not included). */
static void
ag_ddl_one(FILE *f, const struct catalog *c, size_t i, unsigned flags)
{
	const struct cat_obj *o = &c->objs[i];
	const char *v;
	char *s;

	if (ag_kind_is(o, "schema"))
		fprintf(f, "CREATE SCHEMA %s", o->id);
	else if (ag_kind_is(o, "extension")) {
		s = ag_literal(cat_get(o, "version") ? cat_get(o, "version") :
		    "");
		fprintf(f, "CREATE EXTENSION %s WITH SCHEMA %s VERSION %s",
		    o->id, cat_get(o, "schema"), s);
		free(s);
	} else if (ag_kind_is(o, "enum")) {
		s = ag_enum_labels(cat_get(o, "labels"));
		fprintf(f, "CREATE TYPE %s AS ENUM (%s)", o->id, s);
		free(s);
	} else if (ag_kind_is(o, "composite")) {
		s = ag_composite_attrs(cat_get(o, "attributes"));
		fprintf(f, "CREATE TYPE %s AS (%s)", o->id, s);
		free(s);
	} else if (ag_kind_is(o, "domain"))
		ag_ddl_domain(f, o);
	else if (ag_kind_is(o, "sequence"))
		ag_ddl_sequence(f, o);
	else if (ag_kind_is(o, "table"))
		ag_ddl_table(f, c, i);
	else if (ag_kind_is(o, "column")) {
		s = ag_ddl_coldef(c, i);
		fprintf(f, "ALTER TABLE %s ADD COLUMN %s", o->parent, s);
		free(s);
	} else if (ag_kind_is(o, "default")) {
		size_t ci = catalog_index(c, "column", o->id);

		if (ci != (size_t)-1)
			fprintf(f, "ALTER TABLE %s ALTER COLUMN %s SET DEFAULT "
			    "%s", c->objs[ci].parent, ag_name(&c->objs[ci]),
			    cat_get(o, "expr"));
	}
	else if (ag_kind_is(o, "constraint"))
		fprintf(f, "ALTER TABLE %s ADD CONSTRAINT %s %s%s", o->parent,
		    ag_name(o), cat_get(o, "def"), (flags & AG_DDL_ONLINE) &&
		    strstr(cat_get(o, "def"), "NOT VALID") == NULL ?
		    " NOT VALID" : "");
	else if (ag_kind_is(o, "domcheck"))
		fprintf(f, "ALTER DOMAIN %s ADD CONSTRAINT %s %s%s", o->parent,
		    ag_name(o), cat_get(o, "def"), (flags & AG_DDL_ONLINE) &&
		    strstr(cat_get(o, "def"), "NOT VALID") == NULL ?
		    " NOT VALID" : "");
	else if (ag_kind_is(o, "index")) {
		if (flags & AG_DDL_ONLINE)
			ag_ddl_redo(f, o->id, ag_base(o->id));
		ag_ddl_index(f, o, (flags & AG_DDL_ONLINE) != 0);
	}
	else if (ag_kind_is(o, "view") || ag_kind_is(o, "matview"))
		ag_ddl_view(f, o);
	else if (ag_kind_is(o, "function") || ag_kind_is(o, "procedure")) {
		v = cat_get(o, "def");
		fprintf(f, "%.*s", (int)(strlen(v) - (strlen(v) > 0 &&
		    v[strlen(v) - 1] == '\n')), v);
	} else if (ag_kind_is(o, "trigger")) {
		fputs(cat_get(o, "def"), f);
		if ((v = cat_get(o, "enabled")) != NULL && *v != 'O') {
			s = ag_trigger_enable(o);
			fprintf(f, ";\n%s", s);
			free(s);
		}
	} else if (ag_kind_is(o, "policy"))
		ag_ddl_policy(f, o);
}

char *
ag_ddl_index_as(const struct cat_obj *o, const char *name, bool concurrently)
{
	const char *def = cat_get(o, "def"), *base = ag_base(o->id), *p;
	char *buf = NULL, *one = NULL;
	size_t len, l1;
	FILE *f = open_memstream(&buf, &len), *g;

	if (f == NULL || (g = open_memstream(&one, &l1)) == NULL)
		fatal("open_memstream failed");
	ag_ddl_index(g, o, concurrently);
	fclose(g);
	if (concurrently)
		ag_ddl_redo(f, o->id, name);
	/* "CREATE [UNIQUE ]INDEX [CONCURRENTLY ]<base> ON ...": swap base */
	p = one != NULL ? strstr(one, "INDEX ") : NULL;
	if (p != NULL && def != NULL) {
		p += strlen("INDEX ");
		if (concurrently)
			p += strlen("CONCURRENTLY ");
		if (strncmp(p, base, strlen(base)) == 0 &&
		    p[strlen(base)] == ' ') {
			fprintf(f, "%.*s%s%s", (int)(p - one), one, name,
			    p + strlen(base));
			fclose(f);
			free(one);
			return buf;
		}
	}
	fputs(one != NULL ? one : "", f);
	fclose(f);
	free(one);
	return buf;
}

/* The end of the parenthesised list at p (quotes skipped), or NULL. */
static const char *
ag_paren_end(const char *p)
{
	bool q = false;
	int depth = 0;

	if (*p != '(')
		return NULL;
	for (; *p != '\0'; p++) {
		if (*p == '"')
			q = !q;
		else if (q)
			continue;
		else if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p + 1;
	}
	return NULL;
}

bool
ag_ddl_unique_using(const struct cat_obj *o, bool concurrently, char **idx,
    char **con)
{
	const char *def = cat_get(o, "def"), *t = cat_get(o, "type");
	const char *kw, *cols, *ce, *inc = NULL, *ie = NULL, *rest;
	bool nnd = false;
	size_t len;
	FILE *f;

	if (def == NULL || t == NULL)
		return false;
	if (*t == 'p' && strncmp(def, "PRIMARY KEY ", 12) == 0) {
		kw = "PRIMARY KEY";
		cols = def + 12;
	} else if (*t == 'u' && strncmp(def, "UNIQUE ", 7) == 0) {
		kw = "UNIQUE";
		cols = def + 7;
		if (strncmp(cols, "NULLS NOT DISTINCT ", 19) == 0) {
			nnd = true;
			cols += 19;
		}
	} else
		return false;
	if ((rest = ce = ag_paren_end(cols)) == NULL)
		return false;
	if (strncmp(rest, " INCLUDE ", 9) == 0) {
		inc = rest + 9;
		if ((rest = ie = ag_paren_end(inc)) == NULL)
			return false;
	}
	/* anything else (a later version's clause): no such form */
	if (*rest != '\0' && strcmp(rest, " DEFERRABLE") != 0 &&
	    strcmp(rest, " DEFERRABLE INITIALLY DEFERRED") != 0)
		return false;
	if ((f = open_memstream(idx, &len)) == NULL)
		fatal("open_memstream failed");
	if (concurrently)
		ag_ddl_redo(f, o->parent, ag_name(o));
	fprintf(f, "CREATE UNIQUE INDEX %s%s ON %s USING btree %.*s%s%.*s%s",
	    concurrently ? "CONCURRENTLY " : "", ag_name(o), o->parent,
	    (int)(ce - cols), cols, inc != NULL ? " INCLUDE " : "",
	    inc != NULL ? (int)(ie - inc) : 0, inc != NULL ? inc : "",
	    nnd ? " NULLS NOT DISTINCT" : "");
	fclose(f);
	*con = xasprintf("ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s%s",
	    o->parent, ag_name(o), kw, ag_name(o), rest);
	return true;
}

char *
ag_ddl_comment(const struct cat_obj *o, const char *text)
{
	const char *kw = ag_sqlkind(o);
	char *lit, *s;

	if (kw == NULL)
		return NULL;
	lit = text != NULL ? ag_literal(text) : xstrdup("NULL");
	if (ag_kind_is(o, "constraint") || ag_kind_is(o, "trigger") ||
	    ag_kind_is(o, "policy"))
		s = xasprintf("COMMENT ON %s %s ON %s IS %s", kw, ag_name(o),
		    o->parent, lit);
	else if (ag_kind_is(o, "domcheck"))
		s = xasprintf("COMMENT ON %s %s ON DOMAIN %s IS %s", kw,
		    ag_name(o), o->parent, lit);
	else
		s = xasprintf("COMMENT ON %s %s IS %s", kw, o->id, lit);
	free(lit);
	return s;
}

/* Order in which children are created again under their parent. */
static const char *const ag_child_kinds[] = { "constraint", "index",
	"trigger", "policy", "domcheck" };

static bool
ag_is_fk(const struct cat_obj *o)
{
	const char *t = cat_get(o, "type");

	return ag_kind_is(o, "constraint") && t != NULL && *t == 'f';
}

/* Children (and comments, RLS) of object i, for an inverse. */
static void
ag_ddl_children(FILE *f, bool *first, const struct catalog *c, size_t i)
{
	const struct cat_obj *o = &c->objs[i], *k;
	char *buf, *s;
	size_t len, n, pass, j;
	FILE *g;

	for (pass = 0; pass < ARRAY_LEN(ag_child_kinds); pass++)
		for (j = 0; j < c->n; j++) {
			k = &c->objs[j];
			if (k->parent == NULL || strcmp(k->parent, o->id) ||
			    ag_kind_is(k, "column"))
				continue;
			/* foreign keys are dropped and added on their own */
			if (!ag_kind_is(k, ag_child_kinds[pass]) || ag_is_fk(k))
				continue;
			buf = NULL;
			g = ag_mem(&buf, &len);
			ag_ddl_one(g, c, j, 0);
			ag_stmt(f, first, ag_mem_done(g, &buf));
			free(buf);
		}
	if (cat_true(o, "rls")) {
		s = xasprintf("ALTER TABLE %s ENABLE ROW LEVEL SECURITY",
		    o->id);
		ag_stmt(f, first, s);
		free(s);
	}
	if (cat_true(o, "force_rls")) {
		s = xasprintf("ALTER TABLE %s FORCE ROW LEVEL SECURITY", o->id);
		ag_stmt(f, first, s);
		free(s);
	}
	/* comments of the object, its columns and children */
	for (n = 0; n < c->n; n++) {
		k = &c->objs[n];
		if (n != i && (k->parent == NULL || strcmp(k->parent, o->id)))
			continue;
		if (cat_get(k, "comment") == NULL)
			continue;
		s = ag_ddl_comment(k, cat_get(k, "comment"));
		ag_stmt(f, first, s);
		free(s);
	}
}

/* Sequences owned by a column of table/column o in c. */
static void
ag_ddl_owned(FILE *f, bool *first, const struct catalog *c,
    const struct cat_obj *o, bool create)
{
	const char *ob;
	char *buf, *s;
	size_t j, len, n = strlen(o->id);
	FILE *g;

	for (j = 0; j < c->n; j++) {
		if (!ag_kind_is(&c->objs[j], "sequence") ||
		    (ob = cat_get(&c->objs[j], "owned_by")) == NULL)
			continue;
		if (strncmp(ob, o->id, n) != 0 ||
		    (ob[n] != '\0' &&
		    !(ob[n] == '.' && ag_kind_is(o, "table"))))
			continue;
		if (create) {
			buf = NULL;
			g = ag_mem(&buf, &len);
			ag_ddl_sequence(g, &c->objs[j]);
			ag_stmt(f, first, ag_mem_done(g, &buf));
			free(buf);
		} else {
			s = xasprintf("ALTER SEQUENCE %s OWNED BY %s",
			    c->objs[j].id, ob);
			ag_stmt(f, first, s);
			free(s);
		}
	}
}

char *
ag_ddl_create(const struct catalog *c, size_t i, unsigned flags)
{
	const struct cat_obj *o = &c->objs[i];
	bool first = true, owner;
	char *buf = NULL, *one = NULL;
	size_t len, len1;
	FILE *f = ag_mem(&buf, &len), *g;

	owner = (flags & AG_DDL_CHILDREN) &&
	    (ag_kind_is(o, "table") || ag_kind_is(o, "column"));
	if (owner)
		ag_ddl_owned(f, &first, c, o, true);
	g = ag_mem(&one, &len1);
	ag_ddl_one(g, c, i, flags);
	ag_stmt(f, &first, ag_mem_done(g, &one));
	free(one);
	if (owner)
		ag_ddl_owned(f, &first, c, o, false);
	if ((flags & AG_DDL_CHILDREN) && ag_kind_is(o, "sequence") &&
	    cat_get(o, "owned_by") != NULL) {
		one = xasprintf("ALTER SEQUENCE %s OWNED BY %s", o->id,
		    cat_get(o, "owned_by"));
		ag_stmt(f, &first, one);
		free(one);
	}
	if ((flags & AG_DDL_CHILDREN) && !ag_kind_is(o, "column"))
		ag_ddl_children(f, &first, c, i);
	else if ((flags & AG_DDL_CHILDREN) && cat_get(o, "comment")) {
		one = ag_ddl_comment(o, cat_get(o, "comment"));
		ag_stmt(f, &first, one);
		free(one);
	}
	return ag_mem_done(f, &buf);
}

char *
ag_ddl_drop(const struct catalog *c, size_t i, unsigned flags)
{
	const struct cat_obj *o = &c->objs[i];
	const char *kw = ag_sqlkind(o);
	bool conc = (flags & AG_DDL_ONLINE) != 0;
	size_t ci;

	if (ag_kind_is(o, "column"))
		return xasprintf("ALTER TABLE %s DROP COLUMN %s", o->parent,
		    ag_name(o));
	if (ag_kind_is(o, "default")) {
		ci = catalog_index(c, "column", o->id);
		if (ci == (size_t)-1)
			return xstrdup("");
		return xasprintf("ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT",
		    c->objs[ci].parent, ag_name(&c->objs[ci]));
	}
	if (ag_kind_is(o, "constraint"))
		return xasprintf("ALTER TABLE %s DROP CONSTRAINT %s",
		    o->parent, ag_name(o));
	if (ag_kind_is(o, "domcheck"))
		return xasprintf("ALTER DOMAIN %s DROP CONSTRAINT %s",
		    o->parent, ag_name(o));
	if (ag_kind_is(o, "trigger") || ag_kind_is(o, "policy"))
		return xasprintf("DROP %s %s ON %s", kw, ag_name(o),
		    o->parent);
	if (ag_kind_is(o, "index"))
		return xasprintf("DROP INDEX %s%s", conc ?
		    "CONCURRENTLY IF EXISTS " : "", o->id);
	return xasprintf("DROP %s %s", kw != NULL ? kw : "TABLE", o->id);
}
