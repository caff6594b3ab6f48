/* SPDX-License-Identifier: MIT */
/* test-migfile.c: migration file parser and directory loader. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "migfile.h"
#include "migtest.h"
#include "../../daemon/sha256.h"

/*
 * Table-driven cases: tests/data/migfile/NAME.sql is loaded and rendered
 * by render_file() (the parsed fields, or the sorted diagnostics with
 * paths relative to tests/data), then compared with NAME.expected.
 */
#define MIGFILE_CASES(X)						\
	X("a1b2_basic") X("a1b2c3") X("bad01_header") X("bad02_name")	\
	X("bad04_markers") X("bad05_sections") X("bad06_values")	\
	X("bad07_toolong") X("bad08_lint_allow") X("empty01_sections")	\
	X("head")							\
	X("merge01_merge_heads") X("merge02_many_parents")		\
	X("nohdr_missing") X("r_u_1_with_slug")
#define MIGFILE_NAME(n) n,
static const char *const migfile_cases[] = { MIGFILE_CASES(MIGFILE_NAME) };

/* sha256("SELECT 1;\n") and sha256(""). */
#define SUM_SELECT1 \
	"b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd"
#define SUM_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void
render_list(char **s, const char *key, char **v, size_t n)
{
	size_t i;

	cat(s, "%s:", key);
	if (n == 0)
		cat(s, " -");
	for (i = 0; i < n; i++)
		cat(s, "%s%s", i == 0 ? " " : ", ", v[i]);
	cat(s, "\n");
}

static void
render_section(char **s, const char *name, const struct migfile_section *sec)
{
	const char *p;
	size_t i;

	if (!sec->present) {
		cat(s, "%s: absent\n", name);
		return;
	}
	cat(s, "%s: line %d\n", name, sec->line);
	for (i = 0; i < sec->stmts.n; i++) {
		cat(s, "  %d: ", sec->stmts.v[i].line);
		for (p = sec->stmts.v[i].sql; *p != '\0'; p++)
			cat(s, *p == '\n' ? "\\n" : "%c", *p);
		cat(s, "\n");
	}
}

static char *
render_migfile(const struct migfile *mf)
{
	char *s = NULL;

	cat(&s, "name: %s\n", mf->name);
	cat(&s, "revision: %s (line %d)\n", mf->revision, mf->revision_line);
	cat(&s, "down_revision line %d\n", mf->down_line);
	render_list(&s, "down_revision", mf->down, mf->ndown);
	render_list(&s, "depends_on", mf->depends_on, mf->ndepends);
	render_list(&s, "branch_labels", mf->branch_labels, mf->nlabels);
	cat(&s, "depends_on line %d, branch_labels line %d\n",
	    mf->depends_line, mf->labels_line);
	cat(&s, "message: \"%s\"\n", mf->message);
	cat(&s, "create_date: %s\n",
	    mf->create_date != NULL ? mf->create_date : "(null)");
	cat(&s, "transactional: %s\n", mf->transactional ? "true" : "false");
	cat(&s, "lock_timeout: %s\n",
	    mf->lock_timeout != NULL ? mf->lock_timeout : "(null)");
	cat(&s, "statement_timeout: %s\n",
	    mf->statement_timeout != NULL ? mf->statement_timeout : "(null)");
	cat(&s, "checksum: %s\n", mf->checksum);
	render_section(&s, "upgrade", &mf->up);
	render_section(&s, "downgrade", &mf->down_sec);
	return s;
}

static void
test_migfile_case(void **state)
{
	const char *name = *state;
	struct mdiag_list d = { 0 };
	struct migfile *mf = (void *)1;
	char *path, *want, *got;
	size_t len;
	int r;

	path = xasprintf("%s/migfile/%s.expected", TEST_DATA_DIR, name);
	want = read_file(path, &len);
	free(path);
	path = xasprintf("%s/migfile/%s.sql", TEST_DATA_DIR, name);
	r = migfile_load(path, &mf, &d);
	free(path);
	if (r == 0) {
		assert_int_equal(d.n, 0);
		got = render_migfile(mf);
	} else {
		assert_int_equal(r, -EINVAL);
		assert_null(mf);
		assert_true(d.n > 0);
		mdiag_sort(&d);
		got = render_diags(&d);
	}
	check_text(got, want);
	free(got);
	free(want);
	migfile_free(mf);
	mdiag_clear(&d);
}

/* Every NAME.sql in tests/data/migfile is listed in migfile_cases. */
static void
test_migfile_all_listed(void **state)
{
	struct dirent *de;
	size_t i, n;
	char *dir;
	DIR *d;

	dir = xasprintf("%s/migfile", TEST_DATA_DIR);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 4, ".sql") != 0)
			continue;
		for (i = 0; i < ARRAY_LEN(migfile_cases); i++)
			if (strlen(migfile_cases[i]) == n - 4 &&
			    strncmp(migfile_cases[i], de->d_name, n - 4) == 0)
				break;
		if (i == ARRAY_LEN(migfile_cases))
			fail_msg("%s is not in migfile_cases", de->d_name);
	}
	closedir(d);
	free(dir);
}

#define HDR "-- revision: abcd\n-- down_revision: none\n"

/* migfile_parse() of buf as "abcd_x.sql"; diagnostics rendered. */
static int
parse(const char *buf, size_t len, struct migfile **mf, char **diags)
{
	struct mdiag_list d = { 0 };
	int r;

	r = migfile_parse("abcd_x.sql", buf, len, mf, &d);
	assert_int_equal(r, d.n > 0 ? -EINVAL : 0);
	assert_true((r == 0) == (*mf != NULL));
	mdiag_sort(&d);
	*diags = render_diags(&d);
	mdiag_clear(&d);
	return r;
}

/* Parse a NUL-terminated text that must be valid; returns the migfile. */
static struct migfile *
parse_ok(const char *text)
{
	struct migfile *mf;
	char *diags;

	if (parse(text, strlen(text), &mf, &diags) != 0)
		fail_msg("unexpected diagnostics:\n%s", diags);
	free(diags);
	return mf;
}

/* Parse a text that must fail with exactly the diagnostics want. */
static void
parse_bad(const char *text, size_t len, const char *want)
{
	struct migfile *mf;
	char *diags;

	assert_int_equal(parse(text, len, &mf, &diags), -EINVAL);
	check_text(diags, want);
	free(diags);
}

static void
test_migfile_checksum(void **state)
{
	static const struct {
		const char *text, *sum;
	} t[] = {
		{ HDR "-- +upgrade\nSELECT 1;\n", SUM_SELECT1 },
		{ HDR "-- +upgrade\nSELECT 1;\n-- +downgrade\nDROP t;\n",
		    SUM_SELECT1 },
		{ HDR "-- message: header edits are not drift\n"
		    "-- +downgrade\nDROP t;\n-- +upgrade   \nSELECT 1;\n",
		    SUM_SELECT1 },
		{ HDR "-- +upgrade\nSELECT 1;\n-- +downgrade", SUM_SELECT1 },
		{ HDR "-- +upgrade", SUM_EMPTY },
		{ HDR "-- +upgrade\n", SUM_EMPTY },
		{ HDR "-- +upgrade\n-- +downgrade\nSELECT 1;\n", SUM_EMPTY },
		{ "\xef\xbb\xbf" HDR "-- +upgrade\nSELECT 1;\n", SUM_SELECT1 },
		{ "-- revision: abcd\r\n-- down_revision: none\r\n"
		    "-- +upgrade\r\nSELECT 1;\r\n-- +downgrade\r\n",
		    SUM_SELECT1 },
	};
	struct migfile *mf;
	size_t i;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		mf = parse_ok(t[i].text);
		if (strcmp(mf->checksum, t[i].sum) != 0)
			fail_msg("case %zu: checksum %s", i, mf->checksum);
		migfile_free(mf);
	}
}

/*
 * The daemon's OpenSSL checksums (daemon/sha256.c) are migratectl's libmd
 * ones: the same cases, then random sections of every length up to 2 KiB
 * (block boundaries, bytes of every value), each hashed both ways.
 */
static void
test_migfile_checksum_openssl(void **state)
{
	static const char abc[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t\n;,*+=<>~";
	char *text, want[65];
	struct migfile *mf;
	size_t len, i, n, hdr;
	unsigned seed = 20261207;

	sha256_setup();
	test_migfile_checksum(state);
	hdr = strlen(HDR "-- +upgrade\n");
	text = malloc(hdr + 2048 + 1);
	assert_non_null(text);
	memcpy(text, HDR "-- +upgrade\n", hdr);
	for (len = 0; len <= 2048; len += len < 300 ? 1 : 37) {
		for (i = 0; i < len; i++) {
			/* valid UTF-8 that splits into statements */
			text[hdr + i] = abc[rand_r(&seed) % (sizeof abc - 1)];
			if (text[hdr + i] == '~' && i + 1 < len) {
				text[hdr + i++] = '\xc3';
				text[hdr + i] = '\xa9';
			} else if (text[hdr + i] == '~')
				text[hdr + i] = 'x';
		}
		text[hdr + len] = '\0';
		n = strlen(text);
		sha256_free();
		mf = parse_ok(text);
		memcpy(want, mf->checksum, sizeof want);
		migfile_free(mf);
		sha256_setup();
		mf = parse_ok(text);
		if (strcmp(mf->checksum, want) != 0)
			fail_msg("length %zu: OpenSSL %s, libmd %s", n - hdr,
			    mf->checksum, want);
		migfile_free(mf);
	}
	sha256_free();
	free(text);
}

/* BOM and CRLF change neither the lines nor the statements. */
static void
test_migfile_bom_crlf(void **state)
{
	static const char crlf[] = "\xef\xbb\xbf-- revision: abcd\r\n"
	    "-- down_revision: none\r\n\r\n-- +upgrade\r\r\n"
	    "SELECT 'a\rb';\r\nSELECT 2\r\n-- +downgrade \r\nDROP t;";
	struct migfile *mf;

	mf = parse_ok(crlf);
	assert_string_equal(mf->revision, "abcd");
	assert_int_equal(mf->up.line, 4);
	assert_int_equal(mf->up.stmts.n, 2);
	assert_string_equal(mf->up.stmts.v[0].sql, "SELECT 'a\rb'");
	assert_int_equal(mf->up.stmts.v[1].line, 6);
	assert_string_equal(mf->up.stmts.v[1].sql, "SELECT 2");
	assert_int_equal(mf->down_sec.line, 7);
	assert_string_equal(mf->down_sec.stmts.v[0].sql, "DROP t");
	assert_int_equal(mf->down_sec.stmts.v[0].line, 8);
	migfile_free(mf);

	/* A BOM anywhere but the very start is text. */
	parse_bad(HDR "\xef\xbb\xbf-- +upgrade\n", strlen(HDR) + 15,
	    "abcd_x.sql:1: missing -- +upgrade section\n"
	    "abcd_x.sql:3: SQL before the first -- +upgrade marker\n");
}

/* Which comment lines are header lines. */
static void
test_migfile_header_shapes(void **state)
{
	struct migfile *mf;

	mf = parse_ok("-- revision:abcd\n--down_revision:\tnone\n"
	    "-- todo:fix later\n-- see https://example.org\n-- Note: x\n"
	    "   -- message: indented is fine\n--\n-- a:b\n"
	    "-- +upgrade\n");
	assert_string_equal(mf->revision, "abcd");
	assert_int_equal(mf->ndown, 0);
	assert_string_equal(mf->message, "indented is fine");
	migfile_free(mf);
	parse_bad(HDR "-- todo: fix later\n-- +upgrade\n",
	    strlen(HDR "-- todo: fix later\n-- +upgrade\n"),
	    "abcd_x.sql:3: unknown header key \"todo\"\n");
}

static void
test_migfile_empty(void **state)
{
	static const char *const texts[] = { "", "\n\n", "\xef\xbb\xbf",
	    "\r\n" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(texts); i++)
		parse_bad(texts[i], strlen(texts[i]),
		    "abcd_x.sql:1: missing header \"-- revision: ID\"\n"
		    "abcd_x.sql:1: missing header \"-- down_revision: ID\" "
		    "(\"none\" for a first revision)\n"
		    "abcd_x.sql:1: missing -- +upgrade section\n");
}

static void
test_migfile_nul(void **state)
{
	static const char text[] = HDR "-- +upgrade\nSELECT 1;\nSELECT '\0';\n"
	    "-- +downgrade\n\0\n";

	parse_bad(text, sizeof text - 1,
	    "abcd_x.sql:5: NUL byte\n"
	    "abcd_x.sql:7: NUL byte\n");
	parse_bad("-- revision: ab\0cd\n", 19,
	    "abcd_x.sql:1: NUL byte\n"
	    "abcd_x.sql:1: missing header \"-- down_revision: ID\" "
	    "(\"none\" for a first revision)\n"
	    "abcd_x.sql:1: file name does not match revision ab\n"
	    "abcd_x.sql:1: missing -- +upgrade section\n");
}

static void
test_migfile_utf8(void **state)
{
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xff", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc3\x28",
		"ok \xe2\x82\x28",
	};
	static const char *const good[] = {
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf",
		"\xf4\x8f\xbf\xbf", "\xc2\x80", "\xee\x80\x80",
	};
	struct migfile *mf;
	char *text;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		/* In a comment, so only the encoding is wrong. */
		text = xasprintf(HDR "-- +upgrade\n-- %s\nSELECT 1;\n", bad[i]);
		parse_bad(text, strlen(text), "abcd_x.sql:4: invalid UTF-8\n");
		free(text);
		/* At the very end of a file without a final newline. */
		text = xasprintf(HDR "-- +upgrade\n-- %s", bad[i]);
		parse_bad(text, strlen(text), "abcd_x.sql:4: invalid UTF-8\n");
		free(text);
	}
	for (i = 0; i < ARRAY_LEN(good); i++) {
		text = xasprintf(HDR "-- message: %s\n-- +upgrade\n"
		    "SELECT '%s';\n", good[i], good[i]);
		mf = parse_ok(text);
		assert_string_equal(mf->message, good[i]);
		migfile_free(mf);
		free(text);
	}
}

/* Values quoted in messages are cut and made valid UTF-8. */
static void
test_migfile_show(void **state)
{
	parse_bad(HDR "-- transactional: \xff\x01yes "
	    "0123456789012345678901234567890123456789\n-- +upgrade\n",
	    strlen(HDR "-- transactional: \xff\x01yes "
	    "0123456789012345678901234567890123456789\n-- +upgrade\n"),
	    "abcd_x.sql:3: invalid UTF-8\n"
	    "abcd_x.sql:3: invalid transactional \"??yes 012345678901234567"
	    "8901234567890123...\" (expected true or false)\n");
}

static void
test_migfile_no_final_newline(void **state)
{
	struct migfile *mf;

	mf = parse_ok(HDR "-- +upgrade\nSELECT 1");
	assert_int_equal(mf->up.stmts.n, 1);
	assert_string_equal(mf->up.stmts.v[0].sql, "SELECT 1");
	assert_string_equal(mf->checksum,
	    "e004ebd5b5532a4b85984a62f8ad48a81aa3460c1ca07701f386135d72cdecf5");
	assert_false(mf->down_sec.present);
	migfile_free(mf);
}

static void
test_migfile_names(void **state)
{
	static const struct {
		const char *path;
		bool ok;
	} t[] = {
		{ "abcd.sql", true }, { "abcd_x.sql", true },
		{ "dir/abcd_add_things.sql", true },
		{ "/a/b.sql/abcd_y.sql", true }, { "abcd_.sql", false },
		{ "abcdx.sql", false }, { "abcd_x.txt", false },
		{ "abc.sql", false }, { "abcd", false }, { "abcd.sq", false },
		{ "dir/abcd.sql/", false }, { "ABCD_x.sql", false },
		{ "abcd_x.sql.sql", true },
	};
	struct mdiag_list d = { 0 };
	struct migfile *mf;
	size_t i;
	int r;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		r = migfile_parse(t[i].path, HDR "-- +upgrade\n",
		    strlen(HDR "-- +upgrade\n"), &mf, &d);
		if ((r == 0) != t[i].ok)
			fail_msg("%s: got %d", t[i].path, r);
		if (r != 0) {
			assert_int_equal(d.n, 1);
			assert_string_equal(d.v[0].message,
			    "file name does not match revision abcd");
			assert_int_equal(d.v[0].line, 1);
			assert_string_equal(d.v[0].file, t[i].path);
		}
		migfile_free(mf);
		mdiag_clear(&d);
	}
}

static void
test_migfile_valid_revision(void **state)
{
	static const struct {
		const char *rev;
		bool ok;
	} t[] = {
		{ "a", true }, { "0", true }, { "_", true },
		{ "d382069dacef", true },
		{ "abcdefghijklmnopqrstuvwxyz012345", true },
		{ "abcdefghijklmnopqrstuvwxyz0123456", false },
		{ "", false }, { "head", false }, { "heads", false },
		{ "base", false }, { "none", false }, { "Head", false },
		{ "head_1", true }, { "nonex", true }, { "a-b", false },
		{ "a b", false }, { "a.b", false }, { "\xc3\xa9", false },
		{ "abc\n", false },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(t); i++)
		if (migfile_valid_revision(t[i].rev) != t[i].ok)
			fail_msg("\"%s\": want %d", t[i].rev, t[i].ok);
	assert_false(migfile_valid_revision(NULL));
}

/* A 10 MB file parses in well under a second. */
static void
test_migfile_10mb(void **state)
{
	static const char unit[] = "INSERT INTO t VALUES ('caf\xc3\xa9; x', "
	    "$$a;b$$); -- \xe2\x82\xac\n";
	size_t n = 10 * 1024 * 1024 / (sizeof unit - 1), i, o, ul;
	struct migfile *mf;
	char *buf, *diags;
	double t0;

	ul = sizeof unit - 1;
	buf = malloc(n * ul + 128);
	assert_non_null(buf);
	o = strlen(HDR "-- +upgrade\n");
	memcpy(buf, HDR "-- +upgrade\n", o);
	for (i = 0; i < n; i++, o += ul)
		memcpy(buf + o, unit, ul);
	memcpy(buf + o, "-- +downgrade\nDELETE FROM t;\n", 29);
	o += 29;
	t0 = now();
	assert_int_equal(parse(buf, o, &mf, &diags), 0);
	print_message("10 MB file parsed in %.3f s\n", now() - t0);
	assert_int_equal(mf->up.stmts.n, n);
	assert_int_equal(mf->up.stmts.v[n - 1].line, (int)n + 3);
	assert_int_equal(mf->down_sec.line, (int)n + 4);
	assert_int_equal(mf->down_sec.stmts.v[0].line, (int)n + 5);
	free(diags);
	free(buf);
	migfile_free(mf);
}

/* Inputs that would be quadratic for a naive parser stay fast. */
static void
test_migfile_many(void **state)
{
	struct mdiag_list d = { 0 };
	struct migfile *mf;
	size_t n = 500000, i;
	char *buf = NULL, *list;
	double t0 = now();

	/* Half a million section markers. */
	buf = malloc(26 * n + 64);
	assert_non_null(buf);
	memcpy(buf, HDR, strlen(HDR));
	for (i = 0; i < n; i++)
		memcpy(buf + strlen(HDR) + 26 * i,
		    "-- +upgrade\n-- +downgrade\n", 26);
	assert_int_equal(migfile_parse("abcd_x.sql", buf,
	    strlen(HDR) + 26 * n, &mf, &d), -EINVAL);
	assert_int_equal(d.n, MIGFILE_MAX_DIAGS + 1);
	assert_string_equal(d.v[0].message,
	    "duplicate -- +upgrade marker (first on line 3)");
	mdiag_clear(&d);
	free(buf);

	/* A down_revision list of 200,000 distinct ids, then one repeated. */
	list = xstrdup("-- revision: abcd\n-- down_revision: ");
	buf = malloc(200000 * 8 + 64);
	assert_non_null(buf);
	for (i = 0; i < 200000; i++)
		snprintf(buf + 8 * i, 9, "r%06zu,", i);
	cat(&list, "%sr000007\n-- +upgrade\n", buf);
	free(buf);
	assert_int_equal(migfile_parse("abcd_x.sql", list, strlen(list), &mf,
	    &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].message,
	    "duplicate down_revision \"r000007\"");
	free(list);
	mdiag_clear(&d);
	print_message("many markers and ids in %.3f s\n", now() - t0);
}

static void
test_migfile_too_large(void **state)
{
	struct mdiag_list d = { 0 };
	struct migfile *mf;
	char path[] = "/tmp/test-migfile-XXXXXX";
	char *buf, *want;
	int fd;

	/* Never read: calloc'd pages stay untouched. */
	buf = calloc(1, MIGFILE_MAX_SIZE + 1);
	assert_non_null(buf);
	assert_int_equal(migfile_parse("abcd_x.sql", buf,
	    MIGFILE_MAX_SIZE + 1, &mf, &d), -EINVAL);
	free(buf);
	assert_null(mf);
	assert_int_equal(d.n, 1);
	want = xasprintf("file too large (%u bytes, the limit is %u)",
	    MIGFILE_MAX_SIZE + 1, MIGFILE_MAX_SIZE);
	assert_string_equal(d.v[0].message, want);
	assert_int_equal(d.v[0].line, 0);
	mdiag_clear(&d);

	/* A sparse file of the same size is refused before reading. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)MIGFILE_MAX_SIZE + 1), 0);
	close(fd);
	assert_int_equal(migfile_load(path, &mf, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].message, want);
	unlink(path);
	free(want);
	mdiag_clear(&d);
}

static void
test_migfile_load_errors(void **state)
{
	char dir[] = "/tmp/test-migfile-XXXXXX";
	struct mdiag_list d = { 0 };
	struct migfile *mf;
	char *fifo;

	assert_non_null(mkdtemp(dir));
	fifo = xasprintf("%s/abcd_fifo.sql", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(migfile_load(fifo, &mf, &d), -EINVAL);
	assert_string_equal(d.v[0].message, "not a regular file");
	assert_int_equal(migfile_load(dir, &mf, &d), -EINVAL);
	assert_string_equal(d.v[1].message, "not a regular file");
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(migfile_load(fifo, &mf, &d), -ENOENT);
	assert_string_equal(d.v[2].message,
	    "cannot open: No such file or directory");
	assert_string_equal(d.v[2].file, fifo);
	assert_int_equal(d.v[2].line, 0);
	assert_int_equal(d.n, 3);
	assert_null(mf);
	assert_int_equal(rmdir(dir), 0);
	free(fifo);
	mdiag_clear(&d);
}

/* A hostile file cannot flood the caller with diagnostics. */
static void
test_migfile_diag_cap(void **state)
{
	struct mdiag_list d = { 0 };
	struct migfile *mf;
	size_t n = 10000, i;
	char *buf;

	buf = malloc(2 * n);
	assert_non_null(buf);
	for (i = 0; i < n; i++)
		memcpy(buf + 2 * i, "\xff\n", 2);
	assert_int_equal(migfile_parse("abcd_x.sql", buf, 2 * n, &mf, &d),
	    -EINVAL);
	assert_int_equal(d.n, MIGFILE_MAX_DIAGS + 1);
	assert_string_equal(d.v[MIGFILE_MAX_DIAGS].message,
	    "too many errors, the rest are not reported");
	free(buf);
	mdiag_clear(&d);
}

#define MIGFILE_CASE(n) { n, test_migfile_case, NULL, NULL, (void *)n },

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		MIGFILE_CASES(MIGFILE_CASE)
		cmocka_unit_test(test_migfile_all_listed),
		cmocka_unit_test(test_migfile_checksum),
		cmocka_unit_test(test_migfile_checksum_openssl),
		cmocka_unit_test(test_migfile_bom_crlf),
		cmocka_unit_test(test_migfile_header_shapes),
		cmocka_unit_test(test_migfile_empty),
		cmocka_unit_test(test_migfile_nul),
		cmocka_unit_test(test_migfile_utf8),
		cmocka_unit_test(test_migfile_show),
		cmocka_unit_test(test_migfile_no_final_newline),
		cmocka_unit_test(test_migfile_names),
		cmocka_unit_test(test_migfile_valid_revision),
		cmocka_unit_test(test_migfile_10mb),
		cmocka_unit_test(test_migfile_many),
		cmocka_unit_test(test_migfile_too_large),
		cmocka_unit_test(test_migfile_load_errors),
		cmocka_unit_test(test_migfile_diag_cap),
	};

	return cmocka_run_group_tests_name("migfile", tests, NULL, NULL);
}
