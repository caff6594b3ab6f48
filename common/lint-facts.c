/* SPDX-License-Identifier: MIT */
/* lint-facts.c: what lint asks the database, and what it answers. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lint-int.h"
#include "migfile.h"

/*
 * One constant query with one parameter, a JSON document of the names the
 * pending sections mention (doc/lint.md §6); its one value is a JSON
 * document of facts. It reads the catalog only and takes no lock on the
 * tables (sizes from relpages, not pg_total_relation_size(), which would
 * queue behind the very ACCESS EXCLUSIVE locks lint is about). libpq stays with the caller: migratectl runs it
 * blocking, the daemon on its asynchronous read session.
 */

const char lint_facts_sql[] =
"WITH p AS (SELECT $1::jsonb AS j),\n"
"req AS (SELECT r.s, r.n, to_regclass(CASE WHEN r.s IS NULL THEN\n"
"    quote_ident(r.n) ELSE quote_ident(r.s) || '.' || quote_ident(r.n) END)\n"
"    AS oid FROM p CROSS JOIN LATERAL jsonb_to_recordset(p.j->'rels')\n"
"    AS r(s text, n text)),\n"
"rels AS (SELECT req.s, req.n, c.* FROM req JOIN pg_class c ON c.oid = req.oid\n"
"    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f'))\n"
"SELECT json_build_object(\n"
" 'server_version_num', current_setting('server_version_num')::int,\n"
" 'timezone', current_setting('TimeZone'),\n"
" 'rels', COALESCE((SELECT json_agg(json_build_object(\n"
"   's', rels.s, 'n', rels.n, 'kind', rels.relkind,\n"
"   'reltuples', rels.reltuples,\n"
"   'bytes', (rels.relpages::bigint + COALESCE((SELECT sum(i.relpages)\n"
"       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid\n"
"       WHERE x.indrelid = rels.oid), 0) + COALESCE((SELECT t.relpages\n"
"       FROM pg_class t WHERE t.oid = rels.reltoastrelid), 0))\n"
"     * current_setting('block_size')::bigint,\n"
"   'partkey', (SELECT json_agg(a.attname ORDER BY k.i)\n"
"     FROM pg_partitioned_table pt\n"
"     CROSS JOIN LATERAL unnest(pt.partattrs::int2[])\n"
"       WITH ORDINALITY AS k(att, i)\n"
"     LEFT JOIN pg_attribute a ON a.attrelid = pt.partrelid\n"
"       AND a.attnum = k.att\n"
"     WHERE pt.partrelid = rels.oid),\n"
"   'cols', (SELECT json_agg(json_build_object('name', a.attname,\n"
"       'type', t.typname, 'typmod', a.atttypmod, 'array', a.attndims > 0,\n"
"       'notnull', a.attnotnull,\n"
"       'views', (SELECT json_agg(DISTINCT v.oid::regclass::text)\n"
"         FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid\n"
"         JOIN pg_class v ON v.oid = w.ev_class\n"
"         WHERE d.classid = 'pg_rewrite'::regclass\n"
"           AND d.refclassid = 'pg_class'::regclass\n"
"           AND d.refobjid = rels.oid AND d.refobjsubid = a.attnum\n"
"           AND v.oid <> rels.oid)) ORDER BY a.attnum)\n"
"     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid\n"
"     WHERE a.attrelid = rels.oid AND a.attnum > 0 AND NOT a.attisdropped),\n"
"   'cons', (SELECT json_agg(json_build_object('name', k.conname,\n"
"       'kind', k.contype, 'validated', k.convalidated,\n"
"       'def', CASE WHEN k.contype = 'c' THEN pg_get_constraintdef(k.oid)\n"
"         END,\n"
"       'cols', (SELECT json_agg(a.attname) FROM pg_attribute a\n"
"         WHERE a.attrelid = rels.oid AND a.attnum = ANY (k.conkey)),\n"
"       'nn_col', (SELECT a.attname FROM pg_attribute a\n"
"         WHERE k.contype = 'c' AND cardinality(k.conkey) = 1\n"
"           AND a.attrelid = rels.oid AND a.attnum = k.conkey[1]\n"
"           AND pg_get_constraintdef(k.oid) =\n"
"             format('CHECK ((%s IS NOT NULL))', quote_ident(a.attname)))))\n"
"     FROM pg_constraint k WHERE k.conrelid = rels.oid)))\n"
"   FROM rels), '[]'),\n"
" 'indexes', COALESCE((SELECT json_agg(json_build_object('s', r.s, 'n', r.n,\n"
"     'ts', tn.nspname, 'tn', tc.relname))\n"
"   FROM p CROSS JOIN LATERAL jsonb_to_recordset(p.j->'idx')\n"
"     AS r(s text, n text)\n"
"   JOIN pg_index i ON i.indexrelid = to_regclass(CASE WHEN r.s IS NULL\n"
"     THEN quote_ident(r.n) ELSE quote_ident(r.s) || '.' || quote_ident(r.n)\n"
"     END)\n"
"   JOIN pg_class tc ON tc.oid = i.indrelid\n"
"   JOIN pg_namespace tn ON tn.oid = tc.relnamespace), '[]'),\n"
" 'funcs', COALESCE((SELECT json_object_agg(f.name, f.vol) FROM (\n"
"   SELECT x.name, max(pr.provolatile) AS vol\n"
"   FROM p CROSS JOIN LATERAL jsonb_array_elements_text(p.j->'funcs')\n"
"     AS x(name)\n"
"   JOIN pg_proc pr ON pr.proname = x.name GROUP BY x.name) f), '{}'),\n"
" 'types', COALESCE((SELECT json_agg(json_build_object('s', r.s, 'r', r.r,\n"
"     'c', r.c, 't', r.t, 'binary', a.atttypid = to_regtype(r.t) OR EXISTS (\n"
"       SELECT 1 FROM pg_cast k WHERE k.castsource = a.atttypid\n"
"         AND k.casttarget = to_regtype(r.t) AND k.castmethod = 'b')))\n"
"   FROM p CROSS JOIN LATERAL jsonb_to_recordset(p.j->'types')\n"
"     AS r(s text, r text, c text, t text)\n"
"   JOIN pg_attribute a ON a.attrelid = to_regclass(CASE WHEN r.s IS NULL\n"
"     THEN quote_ident(r.r) ELSE quote_ident(r.s) || '.' || quote_ident(r.r)\n"
"     END) AND a.attname = r.c AND NOT a.attisdropped\n"
"   WHERE to_regtype(r.t) IS NOT NULL), '[]'))";

/* ---- references ---- */

#define LINT_REFS_MAX 20000	/* per kind: the parameter stays bounded */

struct lint_refs {
	json_t *rels, *idx, *funcs, *types;
	json_t *seen;		/* "kind\1schema\1name..." -> true */
	struct arena scratch;	/* trees not kept */
};

struct lint_refs *
lint_refs_new(void)
{
	struct lint_refs *r = xcalloc(1, sizeof *r);

	r->rels = json_array();
	r->idx = json_array();
	r->funcs = json_array();
	r->types = json_array();
	r->seen = json_object();
	r->scratch = (struct arena)ARENA_INIT(16 * 1024);
	return r;
}

void
lint_refs_free(struct lint_refs *r)
{
	if (r == NULL)
		return;
	json_decref(r->rels);
	json_decref(r->idx);
	json_decref(r->funcs);
	json_decref(r->types);
	json_decref(r->seen);
	arena_clear(&r->scratch);
	free(r);
}

static json_t *
lint_refs_str(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

/* Add {"s":schema,"n":name} to a (once). */
static void
lint_refs_name(struct lint_refs *r, json_t *a, char kind, const char *schema,
    const char *name)
{
	char *key;

	if (name == NULL || *name == '\0' || json_array_size(a) >=
	    LINT_REFS_MAX)
		return;
	key = xasprintf("%c\1%s\1%s", kind, schema != NULL ? schema : "",
	    name);
	if (json_object_get(r->seen, key) == NULL) {
		json_object_set_new(r->seen, key, json_true());
		json_array_append_new(a, json_pack("{s:o, s:s}", "s",
		    lint_refs_str(schema), "n", name));
	}
	free(key);
}

/* A type name as to_regtype() reads it: "pg_catalog.varchar", "text[]". */
static char *
lint_refs_typename(const PgQuery__TypeName *t)
{
	const char *schema = lint_pg_schema(t->names, t->n_names);
	const char *name = lint_pg_last(t->names, t->n_names);

	return xasprintf("%s%s%s%s", schema != NULL ? schema : "",
	    schema != NULL ? "." : "", name, t->n_array_bounds > 0 ? "[]" :
	    "");
}

static void
lint_refs_alter(struct lint_refs *r, const PgQuery__AlterTableStmt *s)
{
	const PgQuery__AlterTableCmd *c;
	char *t;
	size_t i;

	for (i = 0; s->relation != NULL && i < s->n_cmds; i++) {
		if (s->cmds[i]->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		c = s->cmds[i]->alter_table_cmd;
		if (c->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType ||
		    c->def == NULL ||
		    c->def->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
		    c->def->column_def->type_name == NULL ||
		    json_array_size(r->types) >= LINT_REFS_MAX)
			continue;
		t = lint_refs_typename(c->def->column_def->type_name);
		json_array_append_new(r->types, json_pack("{s:o, s:s, s:s, "
		    "s:s}", "s", lint_refs_str(s->relation->schemaname), "r",
		    s->relation->relname, "c", c->name, "t", t));
		free(t);
	}
}

static bool
lint_refs_walk(const PgQuery__Node *n, void *arg)
{
	struct lint_refs *r = arg;
	const PgQuery__FuncCall *f;
	const char *name;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_RANGE_VAR:
		lint_refs_name(r, r->rels, 'r', n->range_var->schemaname,
		    n->range_var->relname);
		break;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		if (n->reindex_stmt->kind ==
		    PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX &&
		    n->reindex_stmt->relation != NULL)
			lint_refs_name(r, r->idx, 'i',
			    n->reindex_stmt->relation->schemaname,
			    n->reindex_stmt->relation->relname);
		break;
	case PG_QUERY__NODE__NODE_FUNC_CALL:
		f = n->func_call;
		name = lint_pg_last(f->funcname, f->n_funcname);
		if (json_array_size(r->funcs) < LINT_REFS_MAX &&
		    json_object_get(r->seen, name) == NULL) {
			json_object_set_new(r->seen, name, json_true());
			json_array_append_new(r->funcs, json_string(name));
		}
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		lint_refs_alter(r, n->alter_table_stmt);
		break;
	default:
		break;
	}
	return false;
}

static void
lint_refs_drop(struct lint_refs *r, const PgQuery__DropStmt *s)
{
	const char *schema, *name;
	size_t i;

	if (s->remove_type != PG_QUERY__OBJECT_TYPE__OBJECT_INDEX)
		return;
	for (i = 0; i < s->n_objects; i++) {
		lint_drop_name(s->objects[i], &schema, &name);
		lint_refs_name(r, r->idx, 'i', schema, name);
	}
}

void
lint_refs_section(struct lint_refs *r, const struct migfile *mf, bool up,
    struct lint_trees *trees)
{
	const struct migfile_section *sec = up ? &mf->up : &mf->down_sec;
	PgQuery__ParseResult *t;
	char *msg;
	size_t i, k;
	int pos;

	for (i = 0; i < sec->stmts.n; i++) {
		arena_reset(&r->scratch);
		if ((t = lint_trees_parse(trees, &r->scratch,
		    sec->stmts.v[i].sql, &msg, &pos)) == NULL) {
			free(msg);
			continue;
		}
		for (k = 0; k < t->n_stmts; k++) {
			lint_pg_walk(t->stmts[k]->stmt, lint_refs_walk, r);
			if (t->stmts[k]->stmt != NULL &&
			    t->stmts[k]->stmt->node_case ==
			    PG_QUERY__NODE__NODE_DROP_STMT)
				lint_refs_drop(r, t->stmts[k]->stmt->drop_stmt);
		}
	}
	arena_reset(&r->scratch);
}

char *
lint_refs_param(const struct lint_refs *r)
{
	json_t *doc;
	char *s;

	doc = json_pack("{s:O, s:O, s:O, s:O}", "rels", r->rels, "idx",
	    r->idx, "funcs", r->funcs, "types", r->types);
	s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (s == NULL)
		fatal("lint: cannot encode the facts parameter");
	return s;
}

/* ---- facts ---- */

struct lint_facts {
	json_t *doc;
	int version;
	const char *tz;
};

int
lint_facts_parse(const char *text, struct lint_facts **out, char **why)
{
	struct lint_facts *f;
	json_error_t e;
	json_t *doc;

	*out = NULL;
	doc = json_loads(text, 0, &e);
	if (doc == NULL || !json_is_object(doc) ||
	    !json_is_array(json_object_get(doc, "rels"))) {
		*why = xasprintf("unreadable catalog facts: %s", doc == NULL ?
		    e.text : "not the expected document");
		json_decref(doc);
		return -EINVAL;
	}
	f = xcalloc(1, sizeof *f);
	f->doc = doc;
	f->version = (int)json_integer_value(json_object_get(doc,
	    "server_version_num"));
	f->tz = json_string_value(json_object_get(doc, "timezone"));
	*out = f;
	return 0;
}

void
lint_facts_free(struct lint_facts *f)
{
	if (f == NULL)
		return;
	json_decref(f->doc);
	free(f);
}

int
lint_facts_version(const struct lint_facts *f)
{
	return f->version;
}

const char *
lint_facts_timezone(const struct lint_facts *f)
{
	return f->tz;
}

/* The entry of array key whose "s"/"n" (or skey/nkey) are schema.name. */
static json_t *
lint_facts_find(const struct lint_facts *f, const char *key,
    const char *skey, const char *nkey, const char *schema, const char *name)
{
	json_t *a = json_object_get(f->doc, key), *e;
	const char *s, *n;
	size_t i;

	if (schema != NULL && *schema == '\0')
		schema = NULL;
	json_array_foreach(a, i, e) {
		n = json_string_value(json_object_get(e, nkey));
		s = json_string_value(json_object_get(e, skey));
		if (n == NULL || strcmp(n, name) != 0)
			continue;
		if ((schema == NULL && s == NULL) || (schema != NULL &&
		    s != NULL && strcmp(schema, s) == 0))
			return e;
	}
	return NULL;
}

static void
lint_facts_col(struct lm_rel *r, json_t *c)
{
	struct lm_col *col;
	const char *name, *type;
	json_t *v;
	size_t i;
	int m;

	if ((name = json_string_value(json_object_get(c, "name"))) == NULL)
		return;		/* not from our query: ignored */
	col = lm_col_add(r, name);
	type = json_string_value(json_object_get(c, "type"));
	free(col->type);
	col->type = xstrdup(type != NULL ? type : "");
	col->array = json_is_true(json_object_get(c, "array"));
	col->notnull = json_is_true(json_object_get(c, "notnull"));
	m = (int)json_integer_value(json_object_get(c, "typmod"));
	col->nmods = 0;
	if (m >= 0 && (strcmp(col->type, "varchar") == 0 ||
	    strcmp(col->type, "bpchar") == 0)) {
		col->mods[0] = m - 4;
		col->nmods = 1;
	} else if (m >= 4 && strcmp(col->type, "numeric") == 0) {
		col->mods[0] = ((m - 4) >> 16) & 0xffff;
		col->mods[1] = (m - 4) & 0xffff;
		col->nmods = 2;
	} else if (m >= 0) {
		col->mods[0] = m;
		col->nmods = 1;
	}
	json_array_foreach(json_object_get(c, "views"), i, v)
		if (json_is_string(v))
			lm_dep_add(r, json_string_value(v), col->name);
}

static void
lint_facts_con(struct lm_rel *r, json_t *c)
{
	const char *kind = json_string_value(json_object_get(c, "kind"));
	const char *nn = json_string_value(json_object_get(c, "nn_col"));
	json_t *cols = json_object_get(c, "cols"), *v;
	struct lm_con *k;
	size_t i;

	k = lm_con_add(r, json_string_value(json_object_get(c, "name")),
	    kind != NULL ? kind[0] : '?');
	k->validated = json_is_true(json_object_get(c, "validated"));
	k->nn_col = nn != NULL ? xstrdup(nn) : NULL;
	k->cols = xcalloc(json_array_size(cols) + 1, sizeof *k->cols);
	json_array_foreach(cols, i, v)
		if (json_is_string(v))
			k->cols[k->ncols++] = xstrdup(json_string_value(v));
	if (k->kind == 'c')
		lint_bound_atoms_def(k, json_string_value(json_object_get(c,
		    "def")));
}

bool
lint_facts_rel(const struct lint_facts *f, const char *schema,
    const char *name, struct lm_rel *r)
{
	json_t *e, *v;
	const char *kind;
	size_t i;

	if ((e = lint_facts_find(f, "rels", "s", "n", schema, name)) == NULL)
		return false;
	if (r == NULL)
		return true;
	kind = json_string_value(json_object_get(e, "kind"));
	r->kind = kind != NULL ? kind[0] : 'r';
	r->catalog = true;
	r->reltuples = json_number_value(json_object_get(e, "reltuples"));
	r->bytes = json_integer_value(json_object_get(e, "bytes"));
	json_array_foreach(json_object_get(e, "cols"), i, v)
		lint_facts_col(r, v);
	json_array_foreach(json_object_get(e, "cons"), i, v)
		lint_facts_con(r, v);
	json_array_foreach(json_object_get(e, "partkey"), i, v)
		if (json_is_null(v))
			r->partkey_expr = true;	/* an expression */
		else if (json_is_string(v) && r->npartkey < 32) {
			r->partkey = xreallocarray(r->partkey, r->npartkey + 1,
			    sizeof *r->partkey);
			r->partkey[r->npartkey++] =
			    xstrdup(json_string_value(v));
		}
	return true;
}

bool
lint_facts_index(const struct lint_facts *f, const char *schema,
    const char *name, char **tschema, char **tname)
{
	const char *ts, *tn;
	json_t *e;

	if ((e = lint_facts_find(f, "indexes", "s", "n", schema, name)) ==
	    NULL)
		return false;
	ts = json_string_value(json_object_get(e, "ts"));
	tn = json_string_value(json_object_get(e, "tn"));
	if (ts == NULL || tn == NULL)
		return false;
	*tschema = xstrdup(ts);
	*tname = xstrdup(tn);
	return true;
}

char
lint_facts_volatility(const struct lint_facts *f, const char *name)
{
	const char *v;

	v = json_string_value(json_object_get(json_object_get(f->doc,
	    "funcs"), name));
	return v != NULL ? v[0] : 0;
}

static bool
lint_facts_streq(json_t *e, const char *key, const char *want)
{
	const char *v = json_string_value(json_object_get(e, key));

	if (want == NULL || *want == '\0')
		return v == NULL;
	return v != NULL && strcmp(v, want) == 0;
}

/* Does t, as lint_refs_typename() wrote it, name type tname (array)? */
static bool
lint_facts_type_is(const char *t, const char *tname, bool array)
{
	const char *sep = strrchr(t, '.');
	size_t n = strlen(tname);

	t = sep != NULL ? sep + 1 : t;
	return strncmp(t, tname, n) == 0 &&
	    strcmp(t + n, array ? "[]" : "") == 0;
}

int
lint_facts_binary(const struct lint_facts *f, const char *schema,
    const char *rel, const char *col, const char *tname, bool array)
{
	json_t *a = json_object_get(f->doc, "types"), *e, *b;
	const char *t;
	size_t i;

	json_array_foreach(a, i, e) {
		t = json_string_value(json_object_get(e, "t"));
		if (t == NULL || !lint_facts_streq(e, "s", schema) ||
		    !lint_facts_streq(e, "r", rel) ||
		    !lint_facts_streq(e, "c", col) ||
		    !lint_facts_type_is(t, tname, array))
			continue;
		b = json_object_get(e, "binary");
		return json_is_boolean(b) ? json_is_true(b) : -1;
	}
	return -1;
}
