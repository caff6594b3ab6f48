/* SPDX-License-Identifier: MIT */
/* test-catalog.c: rows -> objects, dependencies, compare, fingerprints. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "catalog.h"
#include "xmalloc.h"

/* A PGresult built in memory: names, then rows of values (NULL = null). */
static PGresult *
mkres(int nf, const char *const *names, int nr, const char *const *vals)
{
	PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc *att = calloc((size_t)nf, sizeof(*att));
	int f, r;

	for (f = 0; f < nf; f++) {
		att[f].name = (char *)names[f];
		att[f].typid = 25;
		att[f].typlen = -1;
		att[f].atttypmod = -1;
	}
	assert_int_equal(PQsetResultAttrs(res, nf, att), 1);
	for (r = 0; r < nr; r++)
		for (f = 0; f < nf; f++) {
			const char *v = vals[r * nf + f];

			assert_int_equal(PQsetvalue(res, r, f, (char *)v,
			    v != NULL ? (int)strlen(v) : -1), 1);
		}
	free(att);
	return res;
}

static const char *const obj_cols[] = { "kind", "ident", "parent", "refs",
	"type", "comment", "_attnum" };

/* Two tables, a column, a view on the column, and their dependencies. */
static struct catalog *
sample(const char *coltype, const char *comment)
{
	const char *const rows[] = {
		"table", "public.t", NULL, "1259:100 1247:101", NULL, comment,
		NULL,
		"column", "public.t.c", "public.t", "1259:100:1", coltype, NULL,
		"1",
		"view", "public.v", NULL, "1259:200 2618:201", NULL, NULL, NULL,
		"table", "public.a", NULL, "1259:300", NULL, NULL, NULL,
	};
	const char *const dcols[] = { "obj", "ref", "deptype" };
	const char *const deps[] = {
		"2618:201", "1259:100:1", "n",	/* view rule -> column */
		"2618:201", "1259:100", "n",	/* -> table */
		"2618:201", "1259:200", "i",	/* self: ignored */
		"1259:999", "1259:100", "n",	/* unknown object */
	};
	struct catalog *cat = catalog_new();
	struct merr err = { 0 };
	PGresult *res;

	res = mkres(7, obj_cols, 4, rows);
	assert_int_equal(catalog_add_rows(cat, res, &err), 0);
	PQclear(res);
	res = mkres(3, dcols, 4, deps);
	assert_int_equal(catalog_add_deps(cat, res, &err), 0);
	PQclear(res);
	catalog_finish(cat);
	return cat;
}

static void
test_rows_and_deps(void **state)
{
	struct catalog *cat = sample("integer", NULL);
	const struct cat_obj *v, *c, *t;
	size_t vi, ci, ti;

	(void)state;
	assert_int_equal(cat->n, 4);
	/* sorted by kind, then identity */
	assert_string_equal(cat->objs[0].kind, "column");
	assert_string_equal(cat->objs[1].id, "public.a");
	assert_string_equal(cat->objs[2].id, "public.t");
	vi = catalog_index(cat, "view", "public.v");
	ci = catalog_index(cat, "column", "public.t.c");
	ti = catalog_index(cat, "table", "public.t");
	v = &cat->objs[vi];
	c = &cat->objs[ci];
	t = &cat->objs[ti];
	assert_int_equal(v->ndeps, 2);
	assert_int_equal(c->nrdeps, 1);
	assert_int_equal(c->rdeps[0], vi);
	assert_int_equal(t->nrdeps, 1);
	assert_string_equal(cat_get(c, "type"), "integer");
	assert_null(cat_get(t, "comment"));
	assert_null(catalog_find(cat, "table", "public.nope"));
	catalog_free(cat);
}

struct lines {
	char buf[1024];
};

static void
collect(void *arg, const char *line)
{
	struct lines *l = arg;

	strncat(l->buf, line, sizeof(l->buf) - strlen(l->buf) - 2);
	strcat(l->buf, "\n");
}

static void
test_compare(void **state)
{
	struct catalog *a = sample("integer", NULL);
	struct catalog *b = sample("bigint", "hello");
	struct lines l = { "" };
	size_t n;

	(void)state;
	n = catalog_compare(a, b, collect, &l);
	assert_int_equal(n, 2);
	assert_string_equal(l.buf,
	    "~ column public.t.c: type 'integer' -> 'bigint'\n"
	    "~ table public.t: comment (none) -> 'hello'\n");
	l.buf[0] = '\0';
	assert_int_equal(catalog_compare(a, a, collect, &l), 0);
	catalog_free(a);
	catalog_free(b);
}

static void
test_fingerprint(void **state)
{
	struct catalog *a = sample("integer", NULL);
	struct catalog *b = sample("integer", NULL);
	struct catalog *c = sample("bigint", NULL);
	const char *const x1[] = { "type", "int", "_attnum", "1", NULL };
	const char *const x2[] = { "type", "int", "_attnum", "2", NULL };
	char fa[65], fb[65], fc[65];
	struct catalog *h = catalog_new();
	size_t i1, i2;

	(void)state;
	cat_fingerprint(&a->objs[0], fa);
	cat_fingerprint(&b->objs[0], fb);
	cat_fingerprint(&c->objs[0], fc);
	assert_string_equal(fa, fb);
	assert_string_not_equal(fa, fc);
	assert_int_equal(strlen(fa), 64);
	/* '_' attributes are information: neither compared nor hashed */
	i1 = catalog_add(h, "column", "s.t.a", "s.t", x1);
	i2 = catalog_add(h, "column", "s.t.b", "s.t", x2);
	assert_true(cat_obj_equal(&h->objs[i1], &h->objs[i2]));
	catalog_free(a);
	catalog_free(b);
	catalog_free(c);
	catalog_free(h);
}

static void
test_bad_shape(void **state)
{
	const char *const cols[] = { "kind", "name" };
	const char *const rows[] = { "table", "x" };
	struct catalog *cat = catalog_new();
	struct merr err = { 0 };
	PGresult *res = mkres(2, cols, 1, rows);

	(void)state;
	assert_true(catalog_add_rows(cat, res, &err) < 0);
	assert_non_null(err.message);
	merr_clear(&err);
	assert_true(catalog_add_deps(cat, res, &err) < 0);
	merr_clear(&err);
	PQclear(res);
	catalog_free(cat);
}

/* Every query is constant text with the $1 parameter and the 4 columns. */
static void
test_queries(void **state)
{
	size_t q;

	(void)state;
	for (q = 0; catalog_queries[q].sql != NULL; q++) {
		assert_non_null(strstr(catalog_queries[q].sql, "$1"));
		assert_non_null(strstr(catalog_queries[q].sql, "AS kind"));
		assert_non_null(strstr(catalog_queries[q].sql, "AS refs"));
	}
	assert_true(q >= 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_and_deps),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_bad_shape),
		cmocka_unit_test(test_queries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
