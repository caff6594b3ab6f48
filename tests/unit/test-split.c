/* SPDX-License-Identifier: MIT */
/* test-split.c: statement splitter and error-position mapping. */
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

#include "split.h"
#include "migtest.h"

/*
 * Table-driven cases: tests/data/split/NAME.sql is split as file "t.sql"
 * from line 1 and compared with NAME.expected, which lists
 *	@@ LINE		a statement starting on LINE, its text on the
 *			following lines (up to the next @@ or !! line)
 *	!! LINE: MSG	a diagnostic
 * Statements and diagnostics are each compared in order.
 */
#define SPLIT_CASES(X)						\
	X("atomic") X("atomic-lookalike") X("backslash")		\
	X("backslash-inline") X("basic")				\
	X("comments")							\
	X("dollar") X("empty") X("forbidden") X("lines") X("parens")	\
	X("quotes") X("txn") X("txn-allowed")				\
	X("unterminated-atomic")					\
	X("unterminated-comment") X("unterminated-dollar")		\
	X("unterminated-estring") X("unterminated-ident")		\
	X("unterminated-quote")
#define SPLIT_NAME(n) n,
static const char *const split_cases[] = { SPLIT_CASES(SPLIT_NAME) };

/* Canonical text of a result: statements, then diagnostics. */
static char *
render(const struct split_list *l, const struct mdiag_list *d)
{
	char *s = xstrdup("");
	size_t i;

	for (i = 0; i < l->n; i++) {
		assert_int_equal(strlen(l->v[i].sql), l->v[i].len);
		cat(&s, "@@ %d\n%s\n", l->v[i].line, l->v[i].sql);
	}
	for (i = 0; i < d->n; i++) {
		assert_string_equal(d->v[i].file, "t.sql");
		cat(&s, "!! %d: %s\n", d->v[i].line, d->v[i].message);
	}
	return s;
}

/* NAME.expected in render()'s order (statements first). */
static char *
render_expected(char *text)
{
	char *stmts = xstrdup(""), *diags = xstrdup(""), *line, *next, *s;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strncmp(line, "!! ", 3) == 0)
			cat(&diags, "%s\n", line);
		else
			cat(&stmts, "%s\n", line);
	}
	s = xasprintf("%s%s", stmts, diags);
	free(stmts);
	free(diags);
	return s;
}

static void
test_split_file(void **state)
{
	const char *name = *state;
	struct mdiag_list d = { 0 };
	struct split_list l;
	char *path, *sql, *exp, *want, *got;
	size_t len, elen;
	int r;

	path = xasprintf("%s/split/%s.sql", TEST_DATA_DIR, name);
	sql = read_file(path, &len);
	free(path);
	path = xasprintf("%s/split/%s.expected", TEST_DATA_DIR, name);
	exp = read_file(path, &elen);
	free(path);

	r = split_sql("t.sql", sql, len, 1, &l, &d);
	got = render(&l, &d);
	want = render_expected(exp);
	check_text(got, want);
	assert_int_equal(r, d.n > 0 ? -EINVAL : 0);

	free(got);
	free(want);
	free(exp);
	free(sql);
	split_list_clear(&l);
	mdiag_clear(&d);
}

/* Every NAME.sql in tests/data/split is listed in split_cases. */
static void
test_split_all_listed(void **state)
{
	struct dirent *de;
	size_t i, n;
	char *dir;
	DIR *d;

	dir = xasprintf("%s/split", TEST_DATA_DIR);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		for (i = 0; i < ARRAY_LEN(split_cases); i++)
			if (strlen(split_cases[i]) == n - 4 &&
			    strncmp(split_cases[i], de->d_name, n - 4) == 0)
				break;
		if (i == ARRAY_LEN(split_cases))
			fail_msg("%s is not in split_cases", de->d_name);
	}
	closedir(d);
	free(dir);
}

static void
test_split_pos_to_line(void **state)
{
	static const struct {
		const char *sql;
		int pos, line;
	} t[] = {
		{ "SELECT 1\nFROM x", 0, 10 },
		{ "SELECT 1\nFROM x", -3, 10 },
		{ "SELECT 1\nFROM x", 1, 10 },
		{ "SELECT 1\nFROM x", 9, 10 },		/* the newline */
		{ "SELECT 1\nFROM x", 10, 11 },
		{ "SELECT 1\nFROM x", 15, 11 },
		{ "SELECT 1\nFROM x", 16, 11 },		/* past the end */
		{ "SELECT 1\nFROM x", 100000, 11 },
		{ "\xc3\xa9\nx", 2, 10 },		/* é is 1 character */
		{ "\xc3\xa9\nx", 3, 11 },
		{ "\xf0\x9f\x98\x80\n\n\xe2\x82\xac", 3, 11 },
		{ "\xf0\x9f\x98\x80\n\n\xe2\x82\xac", 4, 12 },
		{ "\x80\x80\nx", 2, 11 },	/* stray continuations */
		{ "\xff\nx", 3, 11 },			/* a lead byte counts */
		{ "a\n\n\n\nb", 6, 14 },
		{ "", 1, 10 },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		int got = split_pos_to_line(t[i].sql, strlen(t[i].sql), 10,
		    t[i].pos);
		if (got != t[i].line)
			fail_msg("case %zu: pos %d gave line %d, want %d", i,
			    t[i].pos, got, t[i].line);
	}
	assert_int_equal(split_pos_to_line(NULL, 0, 7, 3), 7);
	/* Only len bytes count, not what follows. */
	assert_int_equal(split_pos_to_line("a\nb\nc", 3, 1, 99), 2);
}

/* The position PostgreSQL reports within a statement maps to its line. */
static void
test_split_pos_in_file(void **state)
{
	static const char sql[] = "SELECT 1;\n\n-- x\nSELECT 'é',\n  oops\n"
	    "  FROM t;\n";
	struct mdiag_list d = { 0 };
	struct split_list l;
	const struct split_stmt *st;
	const char *p;
	int pos = 1;

	assert_int_equal(split_sql("t.sql", sql, sizeof sql - 1, 20, &l, &d),
	    0);
	assert_int_equal(l.n, 2);
	st = &l.v[1];
	assert_int_equal(st->line, 23);
	/* "oops" is character 15 of the statement: count as the server. */
	for (p = st->sql; p < strstr(st->sql, "oops"); p++)
		if (((unsigned char)*p & 0xc0) != 0x80)
			pos++;
	assert_int_equal(pos, 15);
	assert_int_equal(split_pos_to_line(st->sql, st->len, st->line, pos),
	    24);
	assert_int_equal(split_pos_to_line(st->sql, st->len, st->line, 1), 23);
	split_list_clear(&l);
	mdiag_clear(&d);
}

static void
test_split_empty(void **state)
{
	struct mdiag_list d = { 0 };
	struct split_list l;

	assert_int_equal(split_sql("t.sql", "", 0, 1, &l, &d), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(d.n, 0);
	split_list_clear(&l);
	assert_int_equal(split_sql("t.sql", " \n\t\r\n", 5, 1, &l, &d), 0);
	assert_int_equal(l.n, 0);
	split_list_clear(&l);
	split_list_clear(NULL);
}

static void
test_split_first_line(void **state)
{
	static const char sql[] = "\nSELECT 1;\n  COMMIT;";
	struct mdiag_list d = { 0 };
	struct split_list l;

	assert_int_equal(split_sql("t.sql", sql, sizeof sql - 1, 41, &l, &d),
	    -EINVAL);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].line, 42);
	assert_int_equal(l.v[1].line, 43);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 43);
	split_list_clear(&l);
	mdiag_clear(&d);
}

/* CR before LF is whitespace; NUL bytes are ordinary bytes. */
static void
test_split_crlf_nul(void **state)
{
	static const char sql[] = "SELECT 1;\r\nSELECT 'a\0b' ;\r\n\r\n";
	struct mdiag_list d = { 0 };
	struct split_list l;

	assert_int_equal(split_sql("t.sql", sql, sizeof sql - 1, 1, &l, &d),
	    0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].sql, "SELECT 1");
	assert_int_equal(l.v[1].line, 2);
	assert_int_equal(l.v[1].len, 12);
	assert_memory_equal(l.v[1].sql, "SELECT 'a\0b'", 12);
	split_list_clear(&l);
	mdiag_clear(&d);
}

/* A flood of forbidden statements is capped, with one summary line. */
static void
test_split_diag_cap(void **state)
{
	struct mdiag_list d = { 0 };
	struct split_list l;
	char *sql = xstrdup("");
	size_t i;

	for (i = 0; i < 1000; i++)
		cat(&sql, "COMMIT;\n");
	assert_int_equal(split_sql("t.sql", sql, strlen(sql), 1, &l, &d),
	    -EINVAL);
	assert_int_equal(l.n, 1000);
	assert_int_equal(d.n, SPLIT_MAX_DIAGS + 1);
	assert_int_equal(d.v[SPLIT_MAX_DIAGS - 1].line, SPLIT_MAX_DIAGS);
	assert_string_equal(d.v[SPLIT_MAX_DIAGS].message,
	    "too many errors, the rest of this section is not checked");
	free(sql);
	split_list_clear(&l);
	mdiag_clear(&d);
}

/* 10 MB of statements with every kind of quoting: linear time. */
static void
test_split_10mb(void **state)
{
	static const char unit[] = "INSERT INTO t VALUES ('a;b', E'\\';', "
	    "$$c;d$$, $x$;$x$) /* ; */; -- ;\n";
	size_t ul = sizeof unit - 1, n = 10 * 1024 * 1024 / ul, i;
	struct mdiag_list d = { 0 };
	struct split_list l;
	char *sql;
	double t0;

	sql = malloc(n * ul);
	assert_non_null(sql);
	for (i = 0; i < n; i++)
		memcpy(sql + i * ul, unit, ul);
	t0 = now();
	assert_int_equal(split_sql("t.sql", sql, n * ul, 1, &l, &d), 0);
	print_message("10 MB split in %.3f s\n", now() - t0);
	assert_int_equal(l.n, n);
	assert_int_equal(l.v[n - 1].line, (int)n);
	assert_int_equal(split_pos_to_line(sql, n * ul, 1, INT32_MAX),
	    (int)n + 1);
	free(sql);
	split_list_clear(&l);
}

/* Input depth costs no stack: a million nested comments. */
static void
test_split_deep_nesting(void **state)
{
	size_t n = 1000000, i;
	struct mdiag_list d = { 0 };
	struct split_list l;
	char *sql;

	sql = malloc(4 * n + 16);
	assert_non_null(sql);
	for (i = 0; i < n; i++)
		memcpy(sql + 2 * i, "/*", 2);
	for (i = 0; i < n; i++)
		memcpy(sql + 2 * n + 2 * i, "*/", 2);
	memcpy(sql + 4 * n, "\nSELECT 1", 9);
	assert_int_equal(split_sql("t.sql", sql, 4 * n + 9, 1, &l, &d), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].line, 2);
	split_list_clear(&l);

	/* Unterminated: one error at the line of the outermost opener. */
	assert_int_equal(split_sql("t.sql", sql, 4 * n - 2, 1, &l, &d),
	    -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].message, "unterminated /* comment");
	assert_int_equal(d.v[0].line, 1);
	free(sql);
	split_list_clear(&l);
	mdiag_clear(&d);
}

/* A huge dollar tag against a body full of near misses stays linear. */
static void
test_split_dollar_adversarial(void **state)
{
	size_t tag = 1 << 20, body = 4 << 20, i, len;
	struct mdiag_list d = { 0 };
	struct split_list l;
	char *sql;
	double t0;

	len = 2 * (tag + 2) + body + 7;
	sql = malloc(len);
	assert_non_null(sql);
	memcpy(sql, "SELECT ", 7);
	sql[7] = '$';
	memset(sql + 8, 'a', tag);
	sql[8 + tag] = '$';
	/* "$aaaa...a" runs that almost close the quote, then '$'s. */
	for (i = 0; i < body; i++)
		sql[tag + 9 + i] = (i % 4096 == 0 || i >= body - 1024) ? '$' :
		    'a';
	memcpy(sql + tag + 9 + body, sql + 7, tag + 2);
	t0 = now();
	assert_int_equal(split_sql("t.sql", sql, len, 1, &l, &d), 0);
	print_message("adversarial dollar quote in %.3f s\n", now() - t0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].len, len);
	split_list_clear(&l);

	/* The same without the closing tag: unterminated, tag not quoted. */
	assert_int_equal(split_sql("t.sql", sql, len - tag - 2, 1, &l, &d),
	    -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].message,
	    "unterminated dollar-quoted string");
	free(sql);
	split_list_clear(&l);
	mdiag_clear(&d);
}

/* Very many tiny statements. */
static void
test_split_many(void **state)
{
	size_t n = 2000000, i;
	struct mdiag_list d = { 0 };
	struct split_list l;
	char *sql;

	sql = malloc(2 * n);
	assert_non_null(sql);
	for (i = 0; i < n; i++)
		memcpy(sql + 2 * i, "x;", 2);
	assert_int_equal(split_sql("t.sql", sql, 2 * n, 1, &l, &d), 0);
	assert_int_equal(l.n, n);
	assert_string_equal(l.v[n - 1].sql, "x");
	free(sql);
	split_list_clear(&l);
}

#define SPLIT_CASE(n) { n, test_split_file, NULL, NULL, (void *)n },

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		SPLIT_CASES(SPLIT_CASE)
		cmocka_unit_test(test_split_all_listed),
		cmocka_unit_test(test_split_pos_to_line),
		cmocka_unit_test(test_split_pos_in_file),
		cmocka_unit_test(test_split_empty),
		cmocka_unit_test(test_split_first_line),
		cmocka_unit_test(test_split_crlf_nul),
		cmocka_unit_test(test_split_diag_cap),
		cmocka_unit_test(test_split_10mb),
		cmocka_unit_test(test_split_deep_nesting),
		cmocka_unit_test(test_split_dollar_adversarial),
		cmocka_unit_test(test_split_many),
	};

	return cmocka_run_group_tests_name("split", tests, NULL, NULL);
}
