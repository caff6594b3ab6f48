/* SPDX-License-Identifier: MIT */
/*
 * bench/dirscan.c -- the per-request directory check (issue 10 item 1),
 * as the daemon runs it before every change request and --sql plan: the
 * inotify check that nothing happened (dirnotify_quiet) and the stat scan
 * of every file (dirscan_same) it falls back to. Prints the median and
 * 99th percentile of COUNT runs of each, in milliseconds:
 * "scan_p50 scan_p99 quiet_p50 quiet_p99 files"; exit 1 if a check says
 * the directory changed. Built by bench/run against common/libmigrate.a.
 *
 *     bench-dirscan DIR [COUNT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dirscan.h"

static double
ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sort v[0..n) and print its median and 99th percentile. */
static void
print_stats(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf("%.4f %.4f ", v[n / 2], v[(n * 99 + 99) / 100 - 1]);
}

int
main(int argc, char **argv)
{
	const struct timespec settle = { 0, DIRSCAN_RACY_NS + 10000000 };
	struct dirnotify nt = DIRNOTIFY_INIT;
	struct dirscan s = { 0 };
	int i, n = argc > 2 ? atoi(argv[2]) : 200;
	double *scan, *quiet, t0;
	bool ok = true;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: bench-dirscan DIR [COUNT]\n");
		return 2;
	}
	nanosleep(&settle, NULL);	/* files just written are racy */
	if (dirnotify_open(&nt, argv[1]) < 0 || !nt.local ||
	    dirscan_take(argv[1], &s) < 0 || s.racy || s.links) {
		fprintf(stderr, "bench-dirscan: cannot watch or snapshot %s\n",
		    argv[1]);
		return 1;
	}
	scan = calloc((size_t)n, sizeof *scan);
	quiet = calloc((size_t)n, sizeof *quiet);
	for (i = 0; i < n && ok; i++) {
		t0 = ms_now();
		ok = dirscan_same(argv[1], &s);
		scan[i] = ms_now() - t0;
		t0 = ms_now();
		ok = ok && dirnotify_quiet(&nt);
		quiet[i] = ms_now() - t0;
	}
	if (!ok) {
		fprintf(stderr, "bench-dirscan: %s changed\n", argv[1]);
		return 1;
	}
	print_stats(scan, n);
	print_stats(quiet, n);
	printf("%zu\n", s.n);
	free(scan);
	free(quiet);
	dirscan_clear(&s);
	dirnotify_close(&nt);
	return 0;
}
