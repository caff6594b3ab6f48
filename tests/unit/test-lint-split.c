/* SPDX-License-Identifier: MIT */
/* test-lint-split.c: split.c against libpg_query's splitters (doc/lint.md). */
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
#include <pg_query.h>

#include "migfile.h"
#include "split.h"
#include "migtest.h"

/*
 * Every section of the corpora (tests/data/split, tests/data/migfile,
 * tests/data/lint, the sample schema, and a bench/gen.py-like chain) is
 * split by split.c and by pg_query_split_with_parser() and
 * pg_query_split_with_scanner(). Two splits agree when they have as many
 * statements and each libpg_query span [location, location + length)
 * ends where split.c's statement ends (trailing blanks aside) and holds
 * its start (libpg_query's spans begin right after the previous ';',
 * leading comments included). The table goes to stdout (the test log);
 * the test fails if the parser's split, where it succeeds, ever disagrees
 * with split.c outside the cases listed in known_split[].
 */

/* Sections where split.c is known to be wrong (tests/data/lint). */
static const char *const known_split[] = {
	"split-disagreement/flag1.sql",
	"split-disagreement/flag2.sql",
	"split-disagreement/flag3.sql",
};

struct tally {
	const char *corpus;
	size_t sections, stmts;
	size_t parser_ok, parser_agree, parser_fail;
	size_t scanner_ok, scanner_agree, scanner_fail;
	char *unexpected;	/* sections where the parser disagreed */
};

/* Start offsets of split.c's statements in text (they are verbatim). */
static bool
spans_of_split(const char *text, const struct split_list *l, size_t *start)
{
	const char *from = text, *hit;
	size_t i;

	for (i = 0; i < l->n; i++) {
		hit = strstr(from, l->v[i].sql);
		if (hit == NULL)
			return false;
		start[i] = (size_t)(hit - text);
		from = hit + l->v[i].len;
	}
	return true;
}

/* Only blanks and comments in text[a, b)? */
static bool
only_trivia(const char *t, size_t a, size_t b)
{
	while (a < b) {
		if (strchr(" \t\r\n", t[a]) != NULL)
			a++;
		else if (t[a] == '-' && a + 1 < b && t[a + 1] == '-')
			while (a < b && t[a] != '\n')
				a++;
		else if (t[a] == '/' && a + 1 < b && t[a + 1] == '*') {
			a += 2;
			while (a + 1 < b && !(t[a] == '*' && t[a + 1] == '/'))
				a++;
			a += 2;
		} else
			return false;
	}
	return true;
}

static bool
agrees(const char *text, const struct split_list *l, const size_t *start,
    const PgQuerySplitResult *r)
{
	size_t i, loc, end, tl = strlen(text);

	if (r->error != NULL || (size_t)r->n_stmts != l->n)
		return false;
	for (i = 0; i < l->n; i++) {
		loc = (size_t)r->stmts[i]->stmt_location;
		end = r->stmts[i]->stmt_len == 0 ? tl :
		    loc + (size_t)r->stmts[i]->stmt_len;
		if (start[i] < loc || start[i] >= end ||
		    start[i] + l->v[i].len > end ||
		    !only_trivia(text, start[i] + l->v[i].len, end))
			return false;
	}
	return true;
}

static bool
is_known(const char *name)
{
	size_t i, n, k;

	for (i = 0; i < ARRAY_LEN(known_split); i++) {
		n = strlen(name);
		k = strlen(known_split[i]);
		if (n >= k && strcmp(name + n - k, known_split[i]) == 0)
			return true;
	}
	return false;
}

static void
compare_text(struct tally *t, const char *name, const char *text)
{
	struct mdiag_list diags = { 0 };
	struct split_list l;
	PgQuerySplitResult p, s;
	size_t *start;
	bool ok;

	MIG_IGNORE(split_sql(name, text, strlen(text), 1, &l, &diags));
	mdiag_clear(&diags);
	t->sections++;
	t->stmts += l.n;
	start = xcalloc(l.n + 1, sizeof *start);
	ok = spans_of_split(text, &l, start);
	assert_true(ok);
	p = pg_query_split_with_parser(text);
	s = pg_query_split_with_scanner(text);
	if (p.error != NULL)
		t->parser_fail++;
	else {
		t->parser_ok++;
		if (agrees(text, &l, start, &p))
			t->parser_agree++;
		else if (!is_known(name))
			cat(&t->unexpected, "  %s\n", name);
	}
	if (s.error != NULL)
		t->scanner_fail++;
	else {
		t->scanner_ok++;
		t->scanner_agree += agrees(text, &l, start, &s);
	}
	pg_query_free_split_result(p);
	pg_query_free_split_result(s);
	split_list_clear(&l);
	free(start);
}

/* Each section of a migration file, or the whole of a plain SQL file. */
static void
compare_file(struct tally *t, const char *path, bool sections)
{
	const char *m, *body, *next;
	char *text, *sec;
	size_t len;

	text = read_file(path, &len);
	if (!sections || (m = strstr(text, "\n-- +upgrade\n")) == NULL) {
		compare_text(t, path, text);
		free(text);
		return;
	}
	for (body = m + 13; body != NULL; body = next) {
		next = strstr(body, "\n-- +downgrade\n");
		sec = next != NULL ? xmemdup(body, (size_t)(next - body) + 1) :
		    xstrdup(body);
		compare_text(t, path, sec);
		free(sec);
		if (next != NULL)
			next += 15;
	}
	free(text);
}

static void
compare_dir(struct tally *t, const char *dir, bool sections, bool recurse)
{
	struct dirent *de;
	char *path;
	DIR *d;
	size_t n;

	if ((d = opendir(dir)) == NULL)
		fail_msg("cannot open %s", dir);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		n = strlen(de->d_name);
		if (recurse && strchr(de->d_name, '.') == NULL)
			compare_dir(t, path, sections, false);
		else if (n > 4 && strcmp(de->d_name + n - 4, ".sql") == 0)
			compare_file(t, path, sections);
		free(path);
	}
	closedir(d);
}

/* The statements bench/gen.py writes, 1,000 revisions as one text each. */
static void
compare_bench(struct tally *t)
{
	char *sec;
	int i;

	for (i = 1; i <= 1000; i++) {
		sec = xasprintf("CREATE TABLE t_%d (id bigint PRIMARY KEY, name "
		    "text NOT NULL, created_at timestamptz DEFAULT now());\n"
		    "CREATE INDEX ON t_%d(name);\n", i, i);
		compare_text(t, "bench", sec);
		free(sec);
	}
}

static void
test_split_corpora(void **state)
{
	struct tally t[6];
	size_t i;

	memset(t, 0, sizeof t);
	t[0].corpus = "tests/data/split";
	compare_dir(&t[0], TEST_DATA_DIR "/split", false, false);
	t[1].corpus = "tests/data/migfile";
	compare_dir(&t[1], TEST_DATA_DIR "/migfile", true, true);
	t[2].corpus = "tests/data/lint";
	compare_dir(&t[2], TEST_DATA_DIR "/lint", true, true);
	t[3].corpus = "migrations/versions";
	compare_dir(&t[3], TEST_SRCDIR "/migrations/versions", true, false);
	t[4].corpus = "bench/gen.py (1,000)";
	compare_bench(&t[4]);
	printf("| corpus | sections | statements | parser: split / agrees "
	    "with split.c / fails | scanner: split / agrees / fails |\n"
	    "|---|---|---|---|---|\n");
	for (i = 0; i < 5; i++)
		printf("| %s | %zu | %zu | %zu / %zu / %zu | %zu / %zu / %zu "
		    "|\n", t[i].corpus, t[i].sections, t[i].stmts,
		    t[i].parser_ok, t[i].parser_agree, t[i].parser_fail,
		    t[i].scanner_ok, t[i].scanner_agree, t[i].scanner_fail);
	for (i = 0; i < 5; i++)
		if (t[i].unexpected != NULL)
			fail_msg("the parser's split disagrees with split.c "
			    "in %s:\n%s", t[i].corpus, t[i].unexpected);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_corpora),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
