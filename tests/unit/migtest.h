/* SPDX-License-Identifier: MIT */
/* migtest.h: helpers shared by the splitter and migration file tests. */
#ifndef MIGRATED_MIGTEST_H
#define MIGRATED_MIGTEST_H

/*
 * Include after <cmocka.h> (which wants <setjmp.h>, <stdarg.h> and
 * <stddef.h> before it). Static inline so that each test takes what it
 * uses without unused-function warnings.
 */

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "merr.h"

static inline char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static inline void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f;

	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static inline void
cat(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add, *n;

	va_start(ap, fmt);
	add = xvasprintf(fmt, ap);
	va_end(ap);
	n = xasprintf("%s%s", *s != NULL ? *s : "", add);
	free(*s);
	free(add);
	*s = n;
}

/* s with every occurrence of from removed. */
static inline char *
strip(const char *s, const char *from)
{
	size_t n = strlen(from);
	char *out = xstrdup(""), *hit;

	while ((hit = strstr(s, from)) != NULL) {
		cat(&out, "%.*s", (int)(hit - s), s);
		s = hit + n;
	}
	cat(&out, "%s", s);
	return out;
}

/* Diagnostics one per line, paths relative to tests/data. */
static inline char *
render_diags(const struct mdiag_list *d)
{
	char *s = xstrdup(""), *line, *rel;
	size_t i;

	for (i = 0; i < d->n; i++) {
		line = mdiag_format(&d->v[i]);
		cat(&s, "%s\n", line);
		free(line);
	}
	rel = strip(s, TEST_DATA_DIR "/");
	free(s);
	return rel;
}

static inline void
check_text(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		print_error("--- expected\n%s--- got\n%s", want, got);
	assert_string_equal(got, want);
}

static inline double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Remove dir and the entries in it (one level). */
static inline void
rm_dir(const char *dir)
{
	struct dirent *de;
	char *path;
	DIR *d;

	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) != 0)
			assert_int_equal(rmdir(path), 0);
		free(path);
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
}

#endif
