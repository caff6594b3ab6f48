/* SPDX-License-Identifier: MIT */
/* test-lint.c: every lint rule on the cases of tests/data/lint/RULE/. */
#include "config.h"

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lint.h"
#include "lint-int.h"
#include "migfile.h"
#include "revgraph.h"
#include "split.h"
#include "migtest.h"

/*
 * tests/data/lint/RULE/ holds flagN.sql (statements the rule must flag)
 * and okN.sql (near misses it must not), at least three of each. Each is a
 * migration whose parent is the prelude (tests/data/lint/prelude/: tables,
 * a partitioned table, an enum, views, indexes that the cases touch), so
 * "existing table" means one made by an earlier revision. The whole
 * chain is linted; the case's own findings are compared with NAME.expected
 * ("LINE:COL: severity RULE: message", " (allowed)" when suppressed).
 * A line "-- lint-test pg-version N" in a case lints as server N.
 * LINT_TEST_UPDATE=1 rewrites the .expected files (review the diff).
 */

#define LINT_DIR TEST_DATA_DIR "/lint"

static struct migfile **prelude;
static size_t nprelude;

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of dir's entries that end with suffix (NULL: dirs). */
static char **
list_dir(const char *dir, const char *suffix, size_t *n)
{
	struct dirent *de;
	char **v = NULL;
	size_t len;
	DIR *d;

	*n = 0;
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if (suffix != NULL && (len <= strlen(suffix) ||
		    strcmp(de->d_name + len - strlen(suffix), suffix) != 0))
			continue;
		if (suffix == NULL && strchr(de->d_name, '.') != NULL)
			continue;
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void
free_list(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

static int
setup(void **state)
{
	struct mdiag_list diags = { 0 };
	char **names, *path;
	size_t n, i;

	names = list_dir(LINT_DIR "/prelude", ".sql", &n);
	prelude = xcalloc(n, sizeof *prelude);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/prelude/%s", LINT_DIR, names[i]);
		if (migfile_load(path, &prelude[i], &diags) < 0)
			fail_msg("%s: %s", path, diags.v[0].message);
		free(path);
	}
	nprelude = n;
	free_list(names, n);
	return 0;
}

static int
teardown(void **state)
{
	while (nprelude > 0)
		migfile_free(prelude[--nprelude]);
	free(prelude);
	return 0;
}

/* The pg-version directive of a case file, or 0. */
static int
case_version(const char *text)
{
	const char *p = strstr(text, "-- lint-test pg-version ");

	return p != NULL ? atoi(p + 24) : 0;
}

/*
 * Lint the prelude and the case; its findings rendered, one a line.
 * budget: 0 parses each statement as it is linted; else the trees are made
 * by the references pass first (as the daemon and lint --db do) and kept up
 * to budget bytes.
 */
static char *
lint_case_with(const char *path, const char *text, size_t *nrule,
    const char *rule, size_t budget)
{
	struct mdiag_list diags = { 0 };
	struct migset set = { 0 };
	struct lint_opts o = { 0 };
	const struct lint_findings *f;
	struct migfile *mf;
	struct revgraph *g;
	struct lint_trees *trees = NULL;
	struct lint_refs *refs = NULL;
	struct lint *l;
	char *out = xstrdup("");
	size_t i;

	if (migfile_parse(path, text, strlen(text), &mf, &diags) < 0)
		fail_msg("%s:%d: %s", path, diags.v[0].line,
		    diags.v[0].message);
	set.dir = (char *)LINT_DIR;
	set.v = xcalloc(nprelude + 1, sizeof *set.v);
	memcpy(set.v, prelude, nprelude * sizeof *set.v);
	set.v[nprelude] = mf;
	set.n = nprelude + 1;
	assert_int_equal(revgraph_build(&set, &g, &diags), 0);
	o.server_version = case_version(text);
	if (budget > 0) {
		trees = lint_trees_new(budget);
		refs = lint_refs_new();
		for (i = 0; i < g->n; i++)
			lint_refs_section(refs, g->nodes[g->order[i]].mf, true,
			    trees);
		o.trees = trees;
	}
	l = lint_new(&o);
	for (i = 0; i < g->n; i++)
		lint_section(l, g->nodes[g->order[i]].mf, true, true);
	f = lint_results(l);
	*nrule = 0;
	for (i = 0; i < f->n; i++) {
		if (strcmp(f->v[i].file, path) != 0)
			continue;
		cat(&out, "%d:%d: %s %s: %s%s\n", f->v[i].line, f->v[i].col,
		    lint_sev_name(f->v[i].sev), f->v[i].rule->id,
		    f->v[i].msg, f->v[i].suppressed != NULL ? " (allowed)" :
		    "");
		if (strcmp(f->v[i].rule->id, rule) == 0 &&
		    f->v[i].suppressed == NULL)
			(*nrule)++;
	}
	lint_free(l);
	lint_trees_free(trees);
	lint_refs_free(refs);
	revgraph_free(g);
	migfile_free(mf);
	free(set.v);
	mdiag_clear(&diags);
	return out;
}

/* The findings, the same whether trees are kept, some, or none. */
static char *
lint_case(const char *path, const char *text, size_t *nrule,
    const char *rule)
{
	char *out, *kept, *some;
	size_t n;

	out = lint_case_with(path, text, nrule, rule, 0);
	kept = lint_case_with(path, text, &n, rule, 64 * 1024 * 1024);
	if (strcmp(out, kept) != 0 || n != *nrule)
		fail_msg("%s: findings differ with kept trees:\n%s---\n%s",
		    path, out, kept);
	some = lint_case_with(path, text, &n, rule, 8 * 1024);
	if (strcmp(out, some) != 0 || n != *nrule)
		fail_msg("%s: findings differ with some trees kept:\n%s---\n"
		    "%s", path, out, some);
	free(kept);
	free(some);
	return out;
}

static void
check_case(const char *rule, const char *name)
{
	char *path, *epath, *text, *want, *got;
	size_t len, elen, n;
	bool flag = strncmp(name, "flag", 4) == 0;

	path = xasprintf("%s/%s/%s", LINT_DIR, rule, name);
	epath = xasprintf("%.*s.expected", (int)(strlen(path) - 4), path);
	text = read_file(path, &len);
	got = lint_case(path, text, &n, rule);
	if (getenv("LINT_TEST_UPDATE") != NULL)
		write_file(epath, got, strlen(got));
	want = read_file(epath, &elen);
	if (flag && n == 0)
		fail_msg("%s: %s is not flagged:\n%s", path, rule, got);
	if (!flag && n > 0)
		fail_msg("%s: near miss flagged by %s:\n%s", path, rule, got);
	if (strcmp(want, got) != 0)
		fail_msg("%s: findings differ\n--- expected\n%s--- got\n%s",
		    path, want, got);
	free(path);
	free(epath);
	free(text);
	free(want);
	free(got);
}

/* One rule's directory: three flags and three near misses at least. */
static void
test_lint_rule(void **state)
{
	const char *rule = *state;
	char **files, *dir;
	size_t nfiles, j, nflag = 0, nok = 0;

	dir = xasprintf("%s/%s", LINT_DIR, rule);
	files = list_dir(dir, ".sql", &nfiles);
	for (j = 0; j < nfiles; j++) {
		check_case(rule, files[j]);
		nflag += strncmp(files[j], "flag", 4) == 0;
		nok += strncmp(files[j], "ok", 2) == 0;
	}
	if (nflag < 3 || nok < 3)
		fail_msg("tests/data/lint/%s: %zu flag and %zu ok cases (3 of "
		    "each at least)", rule, nflag, nok);
	free_list(files, nfiles);
	free(dir);
}

/* Every rule has a directory, every directory is a rule. */
static void
test_lint_dirs(void **state)
{
	char **dirs;
	size_t ndirs, i, j;

	dirs = list_dir(LINT_DIR, NULL, &ndirs);
	for (i = 0; i < lint_nrules; i++) {
		for (j = 0; j < ndirs; j++)
			if (strcmp(dirs[j], lint_rules[i].id) == 0)
				break;
		if (j == ndirs)
			fail_msg("rule %s has no tests/data/lint/%s/",
			    lint_rules[i].id, lint_rules[i].id);
	}
	for (i = 0; i < ndirs; i++)
		if (strcmp(dirs[i], "prelude") != 0 &&
		    lint_rule_find(dirs[i]) == NULL)
			fail_msg("tests/data/lint/%s: no such rule", dirs[i]);
	free_list(dirs, ndirs);
}

/* Output formats: one finding as text, JSON and SARIF. */
static void
test_lint_formats(void **state)
{
	struct lint_finding f = { 0 };
	struct lint_findings fs = { &f, 1, 1 };
	json_t *j, *s;
	char *t;

	f.rule = lint_rule_find("drop-table");
	assert_non_null(f.rule);
	f.sev = LINT_ERROR;
	f.file = (char *)"v/a_x.sql";
	f.revision = (char *)"a";
	f.line = 7;
	f.col = 3;
	f.msg = (char *)"DROP TABLE t loses its data";
	t = lint_format(&f);
	assert_true(strncmp(t, "v/a_x.sql:7:3: error drop-table: DROP TABLE "
	    "t loses its data; ", 58) == 0);
	free(t);
	j = lint_finding_json(&f);
	assert_int_equal(json_integer_value(json_object_get(j, "column")), 3);
	assert_true(json_is_null(json_object_get(j, "suppressed")));
	json_decref(j);
	s = lint_sarif(&fs, "0");
	j = json_array_get(json_object_get(json_array_get(json_object_get(s,
	    "runs"), 0), "results"), 0);
	assert_string_equal(json_string_value(json_object_get(j, "ruleId")),
	    "drop-table");
	json_decref(s);
}

/*
 * The catalog's verdict on a type change is the one for that very type:
 * not for another whose name it begins (timestamp, timestamptz), nor for
 * the array of it.
 */
static void
test_lint_facts_types(void **state)
{
	static const char doc[] = "{\"rels\": [], \"types\": ["
	    "{\"s\": null, \"r\": \"t\", \"c\": \"c\", "
	    "\"t\": \"pg_catalog.timestamptz\", \"binary\": false},"
	    "{\"s\": null, \"r\": \"t\", \"c\": \"c\", "
	    "\"t\": \"int4[]\", \"binary\": false},"
	    "{\"s\": null, \"r\": \"t\", \"c\": \"c\", "
	    "\"t\": \"pg_catalog.timestamp\", \"binary\": true},"
	    "{\"s\": null, \"r\": \"t\", \"c\": \"c\", "
	    "\"t\": \"int4\", \"binary\": true}]}";
	struct lint_facts *f;
	char *why = NULL;

	assert_int_equal(lint_facts_parse(doc, &f, &why), 0);
	assert_int_equal(lint_facts_binary(f, NULL, "t", "c", "timestamp",
	    false), 1);
	assert_int_equal(lint_facts_binary(f, NULL, "t", "c", "timestamptz",
	    false), 0);
	assert_int_equal(lint_facts_binary(f, NULL, "t", "c", "int4", false),
	    1);
	assert_int_equal(lint_facts_binary(f, NULL, "t", "c", "int4", true),
	    0);
	assert_int_equal(lint_facts_binary(f, NULL, "t", "c", "int", false),
	    -1);
	assert_int_equal(lint_facts_binary(f, NULL, "t", "d", "int4", false),
	    -1);
	lint_facts_free(f);
}

/*
 * Facts come from the database: an entry without the names our query
 * always sets is passed over, never dereferenced; the rest still counts.
 */
static void
test_lint_facts_malformed(void **state)
{
	static const char doc[] = "{\"rels\": [{\"s\": null, \"n\": \"t\", "
	    "\"kind\": \"r\", \"reltuples\": 5000000, \"bytes\": 1e10, "
	    "\"cols\": [{\"type\": \"int4\"}, {\"name\": null}, "
	    "{\"name\": \"c\", \"type\": \"int4\", \"typmod\": -1}]}], "
	    "\"indexes\": [{\"s\": null, \"n\": \"i\"}]}";
	static const char text[] = "-- revision: a\n-- down_revision: none\n"
	    "\n-- +upgrade\nALTER TABLE t ALTER COLUMN c TYPE text;\n"
	    "DROP INDEX i;\n";
	struct mdiag_list diags = { 0 };
	const struct lint_findings *f;
	struct lint_opts o = { 0 };
	struct lint_facts *facts;
	struct migfile *mf;
	struct lint *l;
	char *why = NULL;
	bool rewrite = false;
	size_t i;

	assert_int_equal(lint_facts_parse(doc, &facts, &why), 0);
	assert_int_equal(migfile_parse("v/a_x.sql", text, sizeof text - 1,
	    &mf, &diags), 0);
	o.facts = facts;
	l = lint_new(&o);
	lint_section(l, mf, true, true);
	f = lint_results(l);
	for (i = 0; i < f->n; i++)
		if (strcmp(f->v[i].rule->id, "alter-column-type-rewrite") == 0)
			rewrite = f->v[i].sev == LINT_ERROR;
	assert_true(rewrite);	/* c's catalog type was read */
	lint_free(l);
	migfile_free(mf);
	lint_facts_free(facts);
}

/* The splitter's columns, which FILE:LINE:COL is built on. */
static void
test_lint_split_cols(void **state)
{
	static const char text[] = "SELECT 1;  SELECT 2;\n  /* \xc3\xa9 */ "
	    "SELECT 3; SELECT\n4;";
	struct mdiag_list diags = { 0 };
	struct split_list l;

	assert_int_equal(split_sql("t.sql", text, sizeof text - 1, 10, &l,
	    &diags), 0);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.v[0].line, 10);
	assert_int_equal(l.v[0].col, 1);
	assert_int_equal(l.v[1].col, 12);
	assert_int_equal(l.v[2].line, 11);
	assert_int_equal(l.v[2].col, 11);	/* é is one character */
	assert_int_equal(l.v[3].col, 21);
	split_list_clear(&l);
}

/* README's "Safe migrations" table is lint_rules[], row for row. */
static void
test_lint_readme(void **state)
{
	char *text, *sec, *end, *line, *next, *want;
	size_t len, n = 0;

	text = read_file(TEST_SRCDIR "/README.md", &len);
	sec = strstr(text, "\n## Safe migrations\n");
	assert_non_null(sec);
	if ((end = strstr(sec + 1, "\n## ")) != NULL)
		*end = '\0';
	for (line = sec; line != NULL; line = next) {
		next = strchr(line + 1, '\n');
		if (strncmp(line, "\n| `", 4) != 0)
			continue;
		if (n >= lint_nrules)
			fail_msg("README has more rules than lint_rules[]");
		want = xasprintf("\n| `%s` | %s | %s | ", lint_rules[n].id,
		    lint_sev_name(lint_rules[n].sev), lint_rules[n].versions);
		if (strncmp(line, want, strlen(want)) != 0)
			fail_msg("README row %zu is not %s", n + 1, want + 1);
		free(want);
		n++;
	}
	assert_int_equal(n, lint_nrules);
	free(text);
}

/* Rule ids are unique and every rule documents itself. */
static void
test_lint_table(void **state)
{
	size_t i, j;

	for (i = 0; i < lint_nrules; i++) {
		assert_non_null(lint_rules[i].id);
		assert_true(*lint_rules[i].why != '\0');
		assert_true(*lint_rules[i].safe != '\0');
		assert_true(*lint_rules[i].versions != '\0');
		for (j = 0; j < i; j++)
			assert_string_not_equal(lint_rules[i].id,
			    lint_rules[j].id);
	}
	assert_true(lint_nrules >= 30);
}

/*
 * The tree lint_pg_parse() takes from libpg_query without packing it
 * (PG_QUERY_WRAP) is the tree libpg_query packs: every case file of
 * tests/data/lint, packed again, gives the same bytes.
 */
static void
test_lint_pg_copy(void **state)
{
	struct arena a = ARENA_INIT(64 * 1024);
	PgQueryProtobufParseResult r;
	PgQuery__ParseResult *t;
	unsigned long before = lint_pg_ncopied;
	char **dirs, **files, path[4096], *text, *msg;
	size_t ndirs, nfiles, i, k, len, nparsed = 0;
	uint8_t *buf;
	int pos;

	(void)state;
	dirs = list_dir(LINT_DIR, NULL, &ndirs);
	for (i = 0; i < ndirs; i++) {
		snprintf(path, sizeof path, "%s/%s", LINT_DIR, dirs[i]);
		files = list_dir(path, ".sql", &nfiles);
		for (k = 0; k < nfiles; k++) {
			snprintf(path, sizeof path, "%s/%s/%s", LINT_DIR,
			    dirs[i], files[k]);
			text = read_file(path, &len);
			r = pg_query_parse_protobuf(text);
			t = lint_pg_parse(&a, text, &msg, &pos);
			if (r.error != NULL) {
				assert_null(t);
				free(msg);
			} else {
				assert_non_null(t);
				len = protobuf_c_message_get_packed_size(
				    &t->base);
				assert_int_equal(len, r.parse_tree.len);
				buf = xmalloc(len + 1);
				protobuf_c_message_pack(&t->base, buf);
				if (memcmp(buf, r.parse_tree.data, len) != 0)
					fail_msg("%s: the copied tree differs "
					    "from libpg_query's", path);
				free(buf);
				nparsed++;
			}
			pg_query_free_protobuf_parse_result(r);
			free(text);
			arena_reset(&a);
		}
		free_list(files, nfiles);
	}
	free_list(dirs, ndirs);
	arena_clear(&a);
	assert_true(nparsed > 100);
#ifdef PG_QUERY_WRAP
	assert_int_equal(lint_pg_ncopied - before, nparsed);
#else
	(void)before;
#endif
}

int
main(void)
{
	struct CMUnitTest *tests;
	size_t n = 0, i;
	int rc;

	tests = xcalloc(lint_nrules + 8, sizeof *tests);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_readme);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_split_cols);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_table);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_formats);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_facts_types);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_lint_facts_malformed);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_dirs);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_lint_pg_copy);
	for (i = 0; i < lint_nrules; i++) {
		tests[n].name = lint_rules[i].id;
		tests[n].test_func = test_lint_rule;
		tests[n++].initial_state = (void *)lint_rules[i].id;
	}
	rc = _cmocka_run_group_tests("test-lint", tests, n, setup, teardown);
	free(tests);
	return rc;
}
