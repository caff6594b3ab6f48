/* SPDX-License-Identifier: MIT */
/* catalog.c: rows of the catalog queries -> objects, dependencies, compare. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sha2.h>

#include "catalog.h"
#include "xmalloc.h"

struct cat_ref {
	char *ref;		/* borrowed from the object's refs */
	size_t obj;
};

struct cat_rawdep {
	char *obj;
	char *ref;
	char deptype;
};

struct catalog *
catalog_new(void)
{
	return xcalloc(1, sizeof(struct catalog));
}

static void
cat_obj_clear(struct cat_obj *o)
{
	size_t i;

	free(o->kind);
	free(o->id);
	free(o->parent);
	for (i = 0; i < o->nattrs; i++) {
		free(o->attrs[i].key);
		free(o->attrs[i].val);
	}
	free(o->attrs);
	for (i = 0; i < o->nrefs; i++)
		free(o->refs[i]);
	free(o->refs);
	free(o->deps);
	free(o->rdeps);
}

void
catalog_free(struct catalog *cat)
{
	size_t i;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->n; i++)
		cat_obj_clear(&cat->objs[i]);
	free(cat->objs);
	free(cat->refs);
	for (i = 0; i < cat->nraw; i++) {
		free(cat->raw[i].obj);
		free(cat->raw[i].ref);
	}
	free(cat->raw);
	free(cat);
}

static struct cat_obj *
catalog_push(struct catalog *cat)
{
	struct cat_obj *o;

	if (cat->finished)
		fatal("catalog_push: catalog already finished");
	if (cat->n == cat->cap) {
		cat->cap = cat->cap ? cat->cap * 2 : 64;
		cat->objs = xreallocarray(cat->objs, cat->cap, sizeof(*o));
	}
	o = &cat->objs[cat->n++];
	memset(o, 0, sizeof(*o));
	return o;
}

static void
cat_obj_add_ref(struct cat_obj *o, const char *s, size_t len)
{
	o->refs = xreallocarray(o->refs, o->nrefs + 1, sizeof(char *));
	o->refs[o->nrefs++] = xstrndup(s, len);
}

/* Split a space-separated list of pg_depend addresses into o->refs. */
static void
cat_obj_parse_refs(struct cat_obj *o, const char *s)
{
	const char *p = s, *e;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		if (e > p)
			cat_obj_add_ref(o, p, (size_t)(e - p));
		p = e;
	}
}

size_t
catalog_add(struct catalog *cat, const char *kind, const char *id,
    const char *parent, const char *const *attrs)
{
	struct cat_obj *o = catalog_push(cat);
	size_t n = 0, i;

	o->kind = xstrdup(kind);
	o->id = xstrdup(id);
	o->parent = parent != NULL ? xstrdup(parent) : NULL;
	while (attrs != NULL && attrs[2 * n] != NULL)
		n++;
	o->attrs = xcalloc(n ? n : 1, sizeof(*o->attrs));
	for (i = 0; i < n; i++) {
		o->attrs[i].key = xstrdup(attrs[2 * i]);
		if (attrs[2 * i + 1] != NULL)
			o->attrs[i].val = xstrdup(attrs[2 * i + 1]);
	}
	o->nattrs = n;
	return cat->n - 1;
}

int
catalog_add_rows(struct catalog *cat, const PGresult *res, struct merr *err)
{
	static const char *const head[] = { "kind", "ident", "parent", "refs" };
	int nf = PQnfields(res), nr = PQntuples(res), r, f;
	struct cat_obj *o;
	size_t i;

	if (nf < 4)
		return merr_set(err, MERR_INTERNAL,
		    "catalog result: %d columns", nf);
	for (i = 0; i < ARRAY_LEN(head); i++)
		if (strcmp(PQfname(res, (int)i), head[i]) != 0)
			return merr_set(err, MERR_INTERNAL,
			    "catalog result: column %zu is not %s", i, head[i]);
	if ((size_t)nr > CATALOG_MAX_OBJECTS - cat->n)
		return merr_set(err, MERR_INTERNAL,
		    "catalog: more than %d objects", CATALOG_MAX_OBJECTS);
	for (r = 0; r < nr; r++) {
		if (PQgetisnull(res, r, 0) || PQgetisnull(res, r, 1))
			continue;
		o = catalog_push(cat);
		o->kind = xstrdup(PQgetvalue(res, r, 0));
		o->id = xstrdup(PQgetvalue(res, r, 1));
		if (!PQgetisnull(res, r, 2))
			o->parent = xstrdup(PQgetvalue(res, r, 2));
		if (!PQgetisnull(res, r, 3))
			cat_obj_parse_refs(o, PQgetvalue(res, r, 3));
		o->nattrs = (size_t)(nf - 4);
		o->attrs = xcalloc(o->nattrs ? o->nattrs : 1,
		    sizeof(*o->attrs));
		for (f = 4; f < nf; f++) {
			o->attrs[f - 4].key = xstrdup(PQfname(res, f));
			if (!PQgetisnull(res, r, f))
				o->attrs[f - 4].val =
				    xstrdup(PQgetvalue(res, r, f));
		}
	}
	return 0;
}

int
catalog_add_deps(struct catalog *cat, const PGresult *res, struct merr *err)
{
	int nr = PQntuples(res), r;
	struct cat_rawdep *d;

	if (PQnfields(res) != 3)
		return merr_set(err, MERR_INTERNAL, "dependency result: %d "
		    "columns", PQnfields(res));
	if ((size_t)nr > 8 * (size_t)CATALOG_MAX_OBJECTS - cat->nraw)
		return merr_set(err, MERR_INTERNAL, "catalog: too many "
		    "dependencies");
	for (r = 0; r < nr; r++) {
		if (cat->nraw == cat->rawcap) {
			cat->rawcap = cat->rawcap ? cat->rawcap * 2 : 256;
			cat->raw = xreallocarray(cat->raw, cat->rawcap,
			    sizeof(*cat->raw));
		}
		d = &cat->raw[cat->nraw++];
		d->obj = xstrdup(PQgetvalue(res, r, 0));
		d->ref = xstrdup(PQgetvalue(res, r, 1));
		d->deptype = PQgetvalue(res, r, 2)[0];
	}
	return 0;
}

/* A text[] literal of names: {"a","b"} with \ and " escaped. */
char *
catalog_text_array(const char *const *v)
{
	char *buf = NULL;
	size_t len, i;
	const char *p;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream failed");
	fputc('{', f);
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		fputs(i ? ",\"" : "\"", f);
		for (p = v[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc('}', f);
	fclose(f);
	return buf;
}

void
catalog_hide_attr(struct catalog *cat, const char *key)
{
	size_t i, k;
	char *hidden;

	for (i = 0; i < cat->n; i++)
		for (k = 0; k < cat->objs[i].nattrs; k++) {
			if (strcmp(cat->objs[i].attrs[k].key, key) != 0)
				continue;
			hidden = xasprintf("_%s", key);
			free(cat->objs[i].attrs[k].key);
			cat->objs[i].attrs[k].key = hidden;
		}
}

static int
cat_obj_cmp(const void *pa, const void *pb)
{
	const struct cat_obj *a = pa, *b = pb;
	int c = strcmp(a->kind, b->kind);

	return c != 0 ? c : strcmp(a->id, b->id);
}

static int
cat_ref_cmp(const void *pa, const void *pb)
{
	const struct cat_ref *a = pa, *b = pb;

	return strcmp(a->ref, b->ref);
}

static int
size_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return a < b ? -1 : a > b;
}

/* The object answering to a pg_depend address, or (size_t)-1. */
static size_t
catalog_resolve(const struct catalog *cat, const char *ref)
{
	struct cat_ref key, *hit;
	char buf[64];
	const char *colon;

	key.ref = (char *)ref;
	hit = bsearch(&key, cat->refs, cat->nrefs, sizeof(key), cat_ref_cmp);
	if (hit != NULL)
		return hit->obj;
	/* a sub-object (column) we do not model: fall back to its owner */
	colon = strchr(ref, ':');
	if (colon == NULL || (colon = strchr(colon + 1, ':')) == NULL ||
	    (size_t)(colon - ref) >= sizeof(buf))
		return (size_t)-1;
	memcpy(buf, ref, (size_t)(colon - ref));
	buf[colon - ref] = '\0';
	key.ref = buf;
	hit = bsearch(&key, cat->refs, cat->nrefs, sizeof(key), cat_ref_cmp);
	return hit != NULL ? hit->obj : (size_t)-1;
}

static void
push_index(size_t **v, size_t *n, size_t x)
{
	*v = xreallocarray(*v, *n + 1, sizeof(size_t));
	(*v)[(*n)++] = x;
}

static void
uniq_indexes(size_t *v, size_t *n)
{
	size_t i, j;

	if (*n < 2)
		return;
	qsort(v, *n, sizeof(size_t), size_cmp);
	for (i = 1, j = 1; i < *n; i++)
		if (v[i] != v[j - 1])
			v[j++] = v[i];
	*n = j;
}

/* Ownership (OWNED BY) is an attribute, not an order: it would loop. */
static bool
catalog_skip_dep(const struct cat_obj *o, const struct cat_obj *r,
    char deptype)
{
	return deptype == 'a' && strcmp(o->kind, "sequence") == 0 &&
	    (strcmp(r->kind, "column") == 0 || strcmp(r->kind, "table") == 0);
}

void
catalog_finish(struct catalog *cat)
{
	size_t i, j, a, b;

	if (cat->finished)
		return;
	qsort(cat->objs, cat->n, sizeof(*cat->objs), cat_obj_cmp);
	for (i = 0; i < cat->n; i++)
		for (j = 0; j < cat->objs[i].nrefs; j++) {
			if (cat->nrefs == cat->refcap) {
				cat->refcap = cat->refcap ? cat->refcap * 2 :
				    256;
				cat->refs = xreallocarray(cat->refs,
				    cat->refcap, sizeof(*cat->refs));
			}
			cat->refs[cat->nrefs].ref = cat->objs[i].refs[j];
			cat->refs[cat->nrefs++].obj = i;
		}
	qsort(cat->refs, cat->nrefs, sizeof(*cat->refs), cat_ref_cmp);
	for (i = 0; i < cat->nraw; i++) {
		a = catalog_resolve(cat, cat->raw[i].obj);
		b = catalog_resolve(cat, cat->raw[i].ref);
		if (a == (size_t)-1 || b == (size_t)-1 || a == b ||
		    catalog_skip_dep(&cat->objs[a], &cat->objs[b],
		    cat->raw[i].deptype))
			continue;
		push_index(&cat->objs[a].deps, &cat->objs[a].ndeps, b);
	}
	for (i = 0; i < cat->n; i++) {
		uniq_indexes(cat->objs[i].deps, &cat->objs[i].ndeps);
		for (j = 0; j < cat->objs[i].ndeps; j++) {
			b = cat->objs[i].deps[j];
			push_index(&cat->objs[b].rdeps, &cat->objs[b].nrdeps,
			    i);
		}
	}
	cat->finished = true;
}

size_t
catalog_index(const struct catalog *cat, const char *kind, const char *id)
{
	struct cat_obj key, *hit;

	if (!cat->finished)
		fatal("catalog_index: catalog not finished");
	key.kind = (char *)kind;
	key.id = (char *)id;
	hit = bsearch(&key, cat->objs, cat->n, sizeof(key), cat_obj_cmp);
	return hit != NULL ? (size_t)(hit - cat->objs) : (size_t)-1;
}

const struct cat_obj *
catalog_find(const struct catalog *cat, const char *kind, const char *id)
{
	size_t i = catalog_index(cat, kind, id);

	return i != (size_t)-1 ? &cat->objs[i] : NULL;
}

const char *
cat_get(const struct cat_obj *o, const char *key)
{
	size_t i;

	for (i = 0; i < o->nattrs; i++)
		if (strcmp(o->attrs[i].key, key) == 0)
			return o->attrs[i].val;
	return NULL;
}

bool
cat_true(const struct cat_obj *o, const char *key)
{
	const char *v = cat_get(o, key);

	return v != NULL && strcmp(v, "t") == 0;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
cat_compared(const struct cat_attr *at)
{
	return at->key[0] != '_';
}

bool
cat_obj_equal(const struct cat_obj *a, const struct cat_obj *b)
{
	size_t i;

	for (i = 0; i < a->nattrs; i++)
		if (cat_compared(&a->attrs[i]) &&
		    !str_eq(a->attrs[i].val, cat_get(b, a->attrs[i].key)))
			return false;
	for (i = 0; i < b->nattrs; i++)
		if (cat_compared(&b->attrs[i]) &&
		    !str_eq(b->attrs[i].val, cat_get(a, b->attrs[i].key)))
			return false;
	return true;
}

void
cat_fingerprint(const struct cat_obj *o, char out[65])
{
	SHA2_CTX ctx;
	size_t k;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)o->kind, strlen(o->kind) + 1);
	SHA256Update(&ctx, (const uint8_t *)o->id, strlen(o->id) + 1);
	for (k = 0; k < o->nattrs; k++) {
		if (!cat_compared(&o->attrs[k]) || o->attrs[k].val == NULL)
			continue;
		SHA256Update(&ctx, (const uint8_t *)o->attrs[k].key,
		    strlen(o->attrs[k].key) + 1);
		SHA256Update(&ctx, (const uint8_t *)o->attrs[k].val,
		    strlen(o->attrs[k].val) + 1);
	}
	(void)SHA256End(&ctx, out);
}

/* A value for a one-line report: NULL as "(none)", long ones shortened. */
static char *
cat_show(const char *v)
{
	char *s, *p;

	if (v == NULL)
		return xstrdup("(none)");
	if (strlen(v) > 160)
		s = xasprintf("'%.150s...'", v);
	else
		s = xasprintf("'%s'", v);
	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return s;
}

static size_t
cat_compare_obj(const struct cat_obj *a, const struct cat_obj *b,
    void (*emit)(void *, const char *), void *arg)
{
	size_t i, n = 0;
	const char *bv;
	char *line, *sa, *sb;

	for (i = 0; i < a->nattrs; i++) {
		if (!cat_compared(&a->attrs[i]))
			continue;
		bv = cat_get(b, a->attrs[i].key);
		if (str_eq(a->attrs[i].val, bv))
			continue;
		sa = cat_show(a->attrs[i].val);
		sb = cat_show(bv);
		line = xasprintf("~ %s %s: %s %s -> %s", a->kind, a->id,
		    a->attrs[i].key, sa, sb);
		emit(arg, line);
		free(line);
		free(sa);
		free(sb);
		n++;
	}
	return n;
}

size_t
catalog_compare(const struct catalog *a, const struct catalog *b,
    void (*emit)(void *arg, const char *line), void *arg)
{
	size_t i = 0, j = 0, n = 0;
	int c;
	char *line;

	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = cat_obj_cmp(&a->objs[i], &b->objs[j]);
		if (c < 0) {
			line = xasprintf("- %s %s", a->objs[i].kind,
			    a->objs[i].id);
			i++;
		} else if (c > 0) {
			line = xasprintf("+ %s %s", b->objs[j].kind,
			    b->objs[j].id);
			j++;
		} else {
			n += cat_compare_obj(&a->objs[i++], &b->objs[j++],
			    emit, arg);
			continue;
		}
		emit(arg, line);
		free(line);
		n++;
	}
	return n;
}
