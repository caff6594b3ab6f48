/* SPDX-License-Identifier: MIT */
/* test-dirscan.c: the stat snapshot that says a directory changed. */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

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

#include "dirscan.h"
#include "migfile.h"
#include "xmalloc.h"

static char dir[] = "/tmp/test-dirscan.XXXXXX";

static void
put(const char *name, const char *text)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static void
write_text(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* Let the last change age past the racy window, then snapshot. */
static void
take(struct dirscan *s)
{
	const struct timespec pause = { 0, DIRSCAN_RACY_NS + 10000000 };

	nanosleep(&pause, NULL);
	assert_int_equal(dirscan_take(dir, s), 0);
	assert_false(s->racy);
}

/* Each change, made after a fresh snapshot: does the scan notice? */
static void
test_changes(void **state)
{
	struct dirscan s = { 0 };
	struct timespec keep[2];
	struct stat st;
	char *p, *q;
	int i;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 50; i++) {
		p = xasprintf("r%03d_x.sql", i);
		put(p, "-- revision: x\n");
		free(p);
	}
	/* just written: racy, so never the same */
	assert_int_equal(dirscan_take(dir, &s), 0);
	assert_true(s.racy);
	assert_false(dirscan_same(dir, &s));
	take(&s);
	assert_int_equal(s.n, 50);
	assert_true(dirscan_same(dir, &s));

	/* not migrations: ignored */
	put(".r999_hidden.sql", "x");
	put("notes.txt", "x");
	put("r998_x.sql~", "x");
	assert_true(dirscan_same(dir, &s));

	/* a new file */
	put("r050_x.sql", "x");
	assert_false(dirscan_same(dir, &s));
	take(&s);
	assert_true(dirscan_same(dir, &s));

	/* an edit in place of the same size: mtime and ctime move */
	put("r007_x.sql", "-- revision: y\n");
	assert_false(dirscan_same(dir, &s));
	take(&s);

	/* the mtime put back: ctime still moved */
	p = path("r008_x.sql");
	assert_int_equal(stat(p, &st), 0);
	keep[0] = st.st_atim;
	keep[1] = st.st_mtim;
	put("r008_x.sql", "-- revision: z\n");
	assert_int_equal(utimensat(AT_FDCWD, p, keep, 0), 0);
	assert_false(dirscan_same(dir, &s));
	take(&s);

	/* replaced by rename (as editors save) */
	put(".tmp", "-- revision: x\n");
	q = path(".tmp");
	assert_int_equal(rename(q, p), 0);
	free(q);
	assert_false(dirscan_same(dir, &s));
	take(&s);

	/* removed */
	assert_int_equal(unlink(p), 0);
	free(p);
	assert_false(dirscan_same(dir, &s));
	take(&s);
	assert_int_equal(s.n, 50);

	/* renamed to another name */
	p = path("r009_x.sql");
	q = path("r009_y.sql");
	assert_int_equal(rename(p, q), 0);
	assert_false(dirscan_same(dir, &s));
	free(p);
	free(q);
	dirscan_clear(&s);
}

static void
test_missing(void **state)
{
	struct dirscan s = { 0 };

	assert_int_equal(dirscan_take("/nonexistent/dir", &s), -ENOENT);
	assert_false(dirscan_same("/nonexistent/dir", &s));
	dirscan_clear(&s);
	assert_int_equal(dirscan_take(dir, &s), 0);
	assert_false(dirscan_same("/nonexistent/dir", &s));
	dirscan_clear(&s);
}

/* The loader's snapshot (its own readdir and fstat) is dirscan_take()'s. */
static void
test_loader_snapshot(void **state)
{
	static char d2[] = "/tmp/test-dirscan-load.XXXXXX";
	const struct timespec pause = { 0, DIRSCAN_RACY_NS + 10000000 };
	struct dirscan a = { 0 }, b = { 0 };
	struct mdiag_list diags = { 0 };
	struct migset *set = NULL;
	char *p, *q;
	size_t i;
	int k;

	assert_non_null(mkdtemp(d2));
	for (k = 0; k < 20; k++) {
		p = xasprintf("%s/r%02d_x.sql", d2, k);
		q = xasprintf("-- revision: r%02d\n-- down_revision: %s\n\n"
		    "-- +upgrade\nSELECT %d;\n", k, k == 0 ? "none" : "", k);
		if (k > 0) {
			free(q);
			q = xasprintf("-- revision: r%02d\n-- down_revision: "
			    "r%02d\n\n-- +upgrade\nSELECT %d;\n", k, k - 1,
			    k);
		}
		write_text(p, q);
		free(p);
		free(q);
	}
	/* a link to a migration, a directory and a text file beside them */
	p = xasprintf("%s/r19_x.sql", d2);
	q = xasprintf("%s/zz_link.sql", d2);
	assert_int_equal(rename(p, q), 0);
	free(p);
	p = xasprintf("%s/r19_x.sql", d2);
	assert_int_equal(symlink(q, p), 0);
	free(p);
	free(q);
	p = xasprintf("%s/d.sql", d2);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/notes.txt", d2);
	write_text(p, "x");
	free(p);
	nanosleep(&pause, NULL);

	assert_int_equal(dirscan_take(d2, &a), 0);
	/* zz_link.sql holds r19 too: the load fails, the snapshot is made */
	assert_int_equal(migset_load_snap(d2, &set, &b, &diags), -EINVAL);
	assert_null(set);
	assert_int_equal(b.err, 0);
	assert_int_equal(a.n, 22);
	assert_int_equal(b.n, a.n);
	assert_true(b.links && a.links);
	assert_true(b.opaque && a.opaque);	/* d.sql */
	assert_false(b.racy || a.racy);
	for (i = 0; i < a.n; i++) {
		assert_string_equal(b.names + b.v[i].name,
		    a.names + a.v[i].name);
		assert_true(b.v[i].ino == a.v[i].ino);
		assert_true(b.v[i].size == a.v[i].size);
		assert_true(b.v[i].mode == a.v[i].mode);
		assert_memory_equal(&b.v[i].mtime, &a.v[i].mtime,
		    sizeof a.v[i].mtime);
		assert_memory_equal(&b.v[i].ctime, &a.v[i].ctime,
		    sizeof a.v[i].ctime);
	}
	assert_true(dirscan_same(d2, &b));
	mdiag_clear(&diags);
	dirscan_clear(&b);

	/* without the duplicate it loads, with the same snapshot */
	p = xasprintf("%s/zz_link.sql", d2);
	q = xasprintf("%s/real.txt", d2);
	assert_int_equal(rename(p, q), 0);
	free(p);
	p = xasprintf("%s/r19_x.sql", d2);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(q, p), 0);
	free(p);
	free(q);
	nanosleep(&pause, NULL);
	dirscan_clear(&a);
	assert_int_equal(dirscan_take(d2, &a), 0);
	assert_int_equal(migset_load_snap(d2, &set, &b, &diags), 0);
	assert_int_equal(set->n, 20);
	assert_int_equal(b.n, a.n);
	for (i = 0; i < a.n; i++)
		assert_true(b.v[i].ino == a.v[i].ino &&
		    b.v[i].mode == a.v[i].mode);
	assert_true(dirscan_same(d2, &b));
	migset_free(set);
	dirscan_clear(&a);
	dirscan_clear(&b);
	p = xasprintf("rm -rf '%s'", d2);
	assert_int_equal(system(p), 0);
	free(p);
}

static int
cleanup(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_loader_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
