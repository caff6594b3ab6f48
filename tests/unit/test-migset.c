/* SPDX-License-Identifier: MIT */
/* test-migset.c: loading a directory of migrations. */
#include "config.h"

#include <sys/stat.h>
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
#include <unistd.h>

#include <cmocka.h>

#include "migfile.h"
#include "migtest.h"

#define HDR "-- revision: abcd\n-- down_revision: none\n"

/* The repository's own sample schema. */
static void
test_migset_sample(void **state)
{
	static const struct {
		const char *name, *rev, *down, *sum;
		size_t nup, ndown;
	} want[] = {
		{ "212c31d97f11_seed_data.sql", "212c31d97f11", "d382069dacef",
		    "f27d4b75883bce9089c80757932d35bb9bd1a52ce3d1583a87c0f5c80"
		    "fd24fc5", 2, 2 },
		{ "2e0140e533a8_baseline_schema.sql", "2e0140e533a8", NULL,
		    "ec0b6a6faeb8de1bb9876d17a8118c1d8df9fe75961ddd8746fd64e01"
		    "6a1d5c6", 23, 7 },
		{ "d382069dacef_add_writing_styles.sql", "d382069dacef",
		    "2e0140e533a8", "241251945039c4cc63e2f9757cf7e9a57d3c9ee6e"
		    "d44b870fffae0dcee53b5e1", 6, 2 },
	};
	struct mdiag_list d = { 0 };
	struct migset *set;
	const struct migfile *mf;
	size_t i;

	assert_int_equal(migset_load(TEST_DATA_DIR "/../../migrations/versions",
	    &set, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(set->n, ARRAY_LEN(want));
	for (i = 0; i < set->n; i++) {
		mf = set->v[i];
		assert_string_equal(mf->name, want[i].name);
		assert_string_equal(mf->revision, want[i].rev);
		assert_int_equal(mf->ndown, want[i].down != NULL);
		if (want[i].down != NULL)
			assert_string_equal(mf->down[0], want[i].down);
		assert_string_equal(mf->checksum, want[i].sum);
		assert_int_equal(mf->up.stmts.n, want[i].nup);
		assert_int_equal(mf->down_sec.stmts.n, want[i].ndown);
		assert_true(mf->transactional);
	}
	migset_free(set);
}

/* Dotfiles and names not ending in ".sql" are ignored. */
static void
test_migset_good_dir(void **state)
{
	struct mdiag_list d = { 0 };
	struct migset *set;

	assert_int_equal(migset_load(TEST_DATA_DIR "/migfile/good-dir/",
	    &set, &d), 0);
	assert_int_equal(d.n, 0);
	assert_string_equal(set->dir, TEST_DATA_DIR "/migfile/good-dir/");
	assert_int_equal(set->n, 2);
	assert_string_equal(set->v[0]->path,
	    TEST_DATA_DIR "/migfile/good-dir/g1_first.sql");
	assert_string_equal(set->v[1]->name, "g2_second.sql");
	assert_string_equal(set->v[1]->down[0], "g1");
	migset_free(set);
}

/* Every problem of every file, sorted by file and line. */
static void
test_migset_bad_dir(void **state)
{
	struct mdiag_list d = { 0 }, added;
	struct migset *set = (void *)1;
	char *want, *got;
	size_t len;

	mdiag_add(&d, "zzz", 1, "a diagnostic the caller had");
	assert_int_equal(migset_load(TEST_DATA_DIR "/migfile/bad-dir", &set,
	    &d), -EINVAL);
	assert_null(set);
	/* Only what migset_load() added is sorted, and it is. */
	assert_string_equal(d.v[0].file, "zzz");
	added.v = d.v + 1;
	added.n = added.cap = d.n - 1;
	want = read_file(TEST_DATA_DIR "/migfile/bad-dir.expected", &len);
	got = render_diags(&added);
	check_text(got, want);
	free(got);
	free(want);
	mdiag_clear(&d);
}

static void
test_migset_missing_dir(void **state)
{
	struct mdiag_list d = { 0 };
	struct migset *set;

	assert_int_equal(migset_load("/nonexistent/dir", &set, &d), -ENOENT);
	assert_null(set);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].file, "/nonexistent/dir");
	assert_string_equal(d.v[0].message,
	    "cannot open directory: No such file or directory");
	mdiag_clear(&d);
}

/* FIFOs and directories are skipped, symlinks followed, dangling ones
 * reported; an empty directory is a valid, empty set. */
static void
test_migset_special(void **state)
{
	char dir[] = "/tmp/test-migset-XXXXXX";
	struct mdiag_list d = { 0 };
	struct migset *set;
	char *p;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(migset_load(dir, &set, &d), 0);
	assert_int_equal(set->n, 0);
	migset_free(set);

	p = xasprintf("%s/f1_fifo.sql", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	p = xasprintf("%s/d1_dir.sql", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
	p = xasprintf("%s/real.txt", dir);
	write_file(p, HDR "-- +upgrade\n", strlen(HDR "-- +upgrade\n"));
	free(p);
	p = xasprintf("%s/abcd_link.sql", dir);
	assert_int_equal(symlink("real.txt", p), 0);
	free(p);
	assert_int_equal(migset_load(dir, &set, &d), 0);
	assert_int_equal(set->n, 1);
	assert_string_equal(set->v[0]->revision, "abcd");
	migset_free(set);

	p = xasprintf("%s/zz_dangling.sql", dir);
	assert_int_equal(symlink("nowhere", p), 0);
	assert_int_equal(migset_load(dir, &set, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].file, p);
	assert_string_equal(d.v[0].message,
	    "cannot stat: No such file or directory");
	free(p);
	mdiag_clear(&d);
	rm_dir(dir);
}

/* 10,000 files: the lint budget is 200 ms; fail only when far off. */
static void
test_migset_10000(void **state)
{
	char dir[] = "/tmp/test-migset-XXXXXX";
	struct mdiag_list d = { 0 };
	struct migset *set;
	char *p, *text, *down;
	double t0, dt;
	size_t i;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 10000; i++) {
		p = xasprintf("%s/r%05zu_step.sql", dir, i);
		down = i == 0 ? xstrdup("none") : xasprintf("r%05zu", i - 1);
		text = xasprintf("-- revision: r%05zu\n-- down_revision: %s\n"
		    "-- message: step %zu\n\n-- +upgrade\nCREATE TABLE t%zu "
		    "(a int, b text DEFAULT 'x;y');\n-- +downgrade\n"
		    "DROP TABLE t%zu;\n", i, down, i, i, i);
		free(down);
		write_file(p, text, strlen(text));
		free(text);
		free(p);
	}
	t0 = now();
	assert_int_equal(migset_load(dir, &set, &d), 0);
	dt = now() - t0;
	print_message("10000 files loaded in %.3f s\n", dt);
	assert_int_equal(set->n, 10000);
	assert_string_equal(set->v[9999]->revision, "r09999");
	migset_free(set);
	rm_dir(dir);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migset_sample),
		cmocka_unit_test(test_migset_good_dir),
		cmocka_unit_test(test_migset_bad_dir),
		cmocka_unit_test(test_migset_missing_dir),
		cmocka_unit_test(test_migset_special),
		cmocka_unit_test(test_migset_10000),
	};

	return cmocka_run_group_tests_name("migset", tests, NULL, NULL);
}
