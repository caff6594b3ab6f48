/* SPDX-License-Identifier: MIT */
/*
 * test-dirnotify.c: the names inotify reports tell what the stat scan of
 * every file would, or say that they cannot.
 */
#include "config.h"

#include <sys/stat.h>

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
#include "xmalloc.h"

static char dir[] = "/tmp/test-dirnotify.XXXXXX";

static char *
path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
put(const char *name, const char *text)
{
	char *p = path(name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(p);
}

static void
drop(const char *name)
{
	char *p = path(name);

	(void)unlink(p);
	free(p);
}

static void
move(const char *from, const char *to)
{
	char *p = path(from), *q = path(to);

	(void)rename(p, q);
	free(p);
	free(q);
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

/* A watch on dir, or skip where inotify cannot vouch for it. */
static void
watch(struct dirnotify *nt)
{
	if (dirnotify_open(nt, dir) < 0 || !nt->local) {
		dirnotify_close(nt);
		skip();
	}
}

static int
setup(void **state)
{
	return mkdtemp(dir) != NULL ? 0 : -1;
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

static void
empty_dir(void)
{
	char *cmd = xasprintf("rm -rf '%s'/* '%s'/.[!.]*", dir, dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* What the reported names say, case by case */
static void
test_names(void **state)
{
	struct dirnotify nt = DIRNOTIFY_INIT;
	struct dirscan s = { 0 };
	char *p, *q;

	empty_dir();
	put("r001_a.sql", "-- revision: a\n");
	put("r002_b.sql", "-- revision: b\n");
	watch(&nt);
	take(&s);
	assert_int_equal(dirnotify_same(&nt, &s), 1);	/* quiet */

	/* not migrations: no event that counts */
	put("notes.txt", "x");
	put(".r001_a.sql.swp", "x");
	put("r001_a.sql~", "x");
	assert_false(dirnotify_drain(&nt));
	assert_int_equal(dirnotify_same(&nt, &s), 1);

	/* an edit */
	put("r001_a.sql", "-- revision: A\n");
	assert_true(dirnotify_drain(&nt));
	assert_int_equal(dirnotify_same(&nt, &s), 0);
	dirnotify_forget(&nt);
	take(&s);
	assert_int_equal(dirnotify_same(&nt, &s), 1);

	/* a file created and removed again: nothing to see */
	put("r003_c.sql", "x");
	drop("r003_c.sql");
	assert_int_equal(dirnotify_same(&nt, &s), 1);
	assert_true(dirscan_same(dir, &s));

	/* saved as editors do: a temporary file renamed over it */
	put(".r002_b.sql.tmp", "-- revision: B\n");
	move(".r002_b.sql.tmp", "r002_b.sql");
	assert_int_equal(dirnotify_same(&nt, &s), 0);
	dirnotify_forget(&nt);
	take(&s);

	/* renamed away and back: the ctime moved */
	move("r002_b.sql", "r002_b.sql.bak");
	move("r002_b.sql.bak", "r002_b.sql");
	assert_int_equal(dirnotify_same(&nt, &s), 0);
	assert_false(dirscan_same(dir, &s));
	dirnotify_forget(&nt);
	take(&s);

	/* a symbolic link: the scan decides, now and from its snapshot on */
	p = path("r004_l.sql");
	assert_int_equal(symlink("r001_a.sql", p), 0);
	free(p);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	dirnotify_forget(&nt);
	take(&s);
	assert_true(s.links);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	drop("r004_l.sql");
	dirnotify_forget(&nt);
	take(&s);

	/* a second link to a file: written there, no event here */
	p = path("r001_a.sql");
	q = xasprintf("%s.link", dir);
	assert_int_equal(link(p, q), 0);
	free(p);
	dirnotify_forget(&nt);
	take(&s);
	assert_true(s.opaque);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	assert_int_equal(unlink(q), 0);
	free(q);
	dirnotify_forget(&nt);
	take(&s);
	assert_false(s.opaque);
	assert_int_equal(dirnotify_same(&nt, &s), 1);

	/* an event on the directory itself */
	assert_int_equal(chmod(dir, 0750), 0);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	dirnotify_forget(&nt);
	assert_int_equal(dirnotify_same(&nt, &s), 1);

	/* the directory moved away and another took its name */
	p = xasprintf("%s.old", dir);
	assert_int_equal(rename(dir, p), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	assert_false(dirscan_same(dir, &s));
	dirnotify_forget(&nt);
	/* now the new one is watched */
	put("r001_a.sql", "x");
	assert_true(dirnotify_drain(&nt));
	assert_int_equal(rmdir(dir) == 0 || errno == ENOTEMPTY, true);
	empty_dir();
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(rename(p, dir), 0);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	free(p);
	dirnotify_forget(&nt);
	assert_int_equal(dirnotify_same(&nt, &s), 1);
	dirnotify_close(&nt);
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	dirscan_clear(&s);
}

/* More names than it keeps: a scan. */
static void
test_bound(void **state)
{
	struct dirnotify nt = DIRNOTIFY_INIT;
	struct dirscan s = { 0 };
	char name[64];
	int i;

	empty_dir();
	watch(&nt);
	take(&s);
	for (i = 0; i < DIRNOTIFY_NAMES_MAX; i++) {
		snprintf(name, sizeof name, "r%05d_x.sql", i);
		put(name, "");
		drop(name);
	}
	assert_int_equal(dirnotify_same(&nt, &s), 1);
	assert_int_equal(nt.nnames, DIRNOTIFY_NAMES_MAX);
	put("r99999_x.sql", "");
	drop("r99999_x.sql");
	assert_int_equal(dirnotify_same(&nt, &s), -1);
	assert_true(dirscan_same(dir, &s));
	dirnotify_forget(&nt);
	assert_int_equal(nt.nnames, 0);
	assert_int_equal(dirnotify_same(&nt, &s), 1);
	dirnotify_close(&nt);
	dirscan_clear(&s);
}

#define POOL 24

static void
pool_name(char *buf, size_t len, int i)
{
	snprintf(buf, len, "r%03d_x.sql", i % POOL);
}

/* One random change of the kind editors, git and people make. */
static void
random_change(unsigned *seed)
{
	char a[64], b[64], tmp[80], text[64];
	int k = rand_r(seed) % 12;

	pool_name(a, sizeof a, rand_r(seed));
	pool_name(b, sizeof b, rand_r(seed));
	snprintf(text, sizeof text, "-- revision: %d\n", rand_r(seed) % 100);
	switch (k) {
	case 0:			/* write in place (maybe the same size) */
	case 1:
		put(a, text);
		break;
	case 2:			/* removed */
		drop(a);
		break;
	case 3:			/* renamed, maybe over another */
		move(a, b);
		break;
	case 4:			/* saved through a temporary file */
		snprintf(tmp, sizeof tmp, ".%s.swp", a);
		put(tmp, text);
		move(tmp, a);
		break;
	case 5:			/* saved as vim does: the old one kept */
		snprintf(tmp, sizeof tmp, "%s~", a);
		move(a, tmp);
		put(a, text);
		drop(tmp);
		break;
	case 6: {		/* touched, or its mode changed */
		char *p = path(a);

		if (rand_r(seed) % 2 == 0)
			(void)utimensat(AT_FDCWD, p, NULL, 0);
		else
			(void)chmod(p, 0600 | (rand_r(seed) % 2) * 044);
		free(p);
		break;
	}
	case 7:			/* created and removed again */
		put(a, text);
		drop(a);
		break;
	case 8:			/* renamed away and back */
		snprintf(tmp, sizeof tmp, "%s.bak", a);
		move(a, tmp);
		move(tmp, a);
		break;
	case 9:			/* files that are not migrations */
		put("notes.txt", text);
		snprintf(tmp, sizeof tmp, ".%s", a);
		put(tmp, text);
		drop(tmp);
		break;
	case 10:		/* a migration renamed out of the set, back */
		snprintf(tmp, sizeof tmp, "%s.off", a);
		if (rand_r(seed) % 2 == 0)
			move(a, tmp);
		else
			move(tmp, a);
		break;
	default:		/* nothing */
		break;
	}
}

/* The same entries with the same stat, in whatever order? */
static bool
same_set(struct dirscan *s, const struct dirscan *f)
{
	ssize_t k;
	size_t i;

	if (s->n != f->n)
		return false;
	for (i = 0; i < f->n; i++) {
		k = dirscan_find(s, f->names + f->v[i].name);
		if (k < 0 || s->v[k].ino != f->v[i].ino ||
		    s->v[k].size != f->v[i].size ||
		    s->v[k].mode != f->v[i].mode ||
		    memcmp(&s->v[k].mtime, &f->v[i].mtime,
		    sizeof f->v[i].mtime) != 0 ||
		    memcmp(&s->v[k].ctime, &f->v[i].ctime,
		    sizeof f->v[i].ctime) != 0)
			return false;
	}
	return true;
}

/*
 * Random changes, each series checked both ways: what the names say is
 * what the scan says. The snapshot is "reloaded" (taken again) when the
 * scan says the directory changed; a change may come between the check
 * and the reload, as it can in the daemon. Snapshots are taken without
 * the racy pause and their flag cleared: both ways compare the same
 * fields, and the racy rule is test-dirscan's.
 */
static void
test_random(void **state)
{
	struct dirnotify nt = DIRNOTIFY_INIT;
	struct dirscan s = { 0 }, f = { 0 };
	unsigned seed = (unsigned)time(NULL);
	const char *env = getenv("DIRNOTIFY_SEED");
	int i, j, r, told = 0, order = 0;
	char name[64];
	bool full;

	if (env != NULL)
		seed = (unsigned)strtoul(env, NULL, 10);
	print_message("DIRNOTIFY_SEED=%u\n", seed);
	empty_dir();
	for (i = 0; i < POOL; i += 2) {
		pool_name(name, sizeof name, i);
		put(name, "-- revision: x\n");
	}
	watch(&nt);
	take(&s);
	for (i = 0; i < 400; i++) {
		for (j = rand_r(&seed) % 4; j > 0; j--)
			random_change(&seed);
		r = dirnotify_same(&nt, &s);
		full = dirscan_same(dir, &s);
		if (r >= 0)
			told++;
		if (r == 1 && !full) {
			/* only the order of readdir moved: no change */
			assert_int_equal(dirscan_take(dir, &f), 0);
			if (!same_set(&s, &f))
				fail_msg("round %d: the names said the same, "
				    "the scan did not (seed %u)", i, seed);
			order++;
		} else if (r >= 0 && r != (int)full)
			fail_msg("round %d: the names said %d, the scan %d "
			    "(seed %u)", i, r, full, seed);
		if (rand_r(&seed) % 4 == 0)	/* before the reload */
			random_change(&seed);
		dirnotify_forget(&nt);
		if (!full) {
			if (rand_r(&seed) % 4 == 0)
				random_change(&seed);
			assert_int_equal(dirscan_take(dir, &s), 0);
			s.racy = false;
		}
	}
	print_message("%d of 400 told by the names, %d only reordered\n",
	    told, order);
	assert_true(told > 300);
	dirnotify_close(&nt);
	dirscan_clear(&s);
	dirscan_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, setup, cleanup);
}
