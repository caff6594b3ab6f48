/* SPDX-License-Identifier: MIT */
/*
 * bench/dirscan.c -- the per-request directory check (issue 10 item 1),
 * as the daemon runs it before every change request and --sql plan: with
 * inotify quiet (dirnotify_same, no name reported), after an event (one
 * file written: dirnotify_same stats the reported name, and indexes the
 * snapshot's names as the first check after a load does), and the stat
 * scan of every file (dirscan_same) that an event cost before and that
 * NFS, symbolic links and overflows still cost. Prints the median and
 * 99th percentile of COUNT runs of each, in milliseconds, and of the
 * CPU time of the check after an event (on a loaded machine, its wall
 * time's tail is time spent waiting for a core): "scan_p50 scan_p99
 * quiet_p50 quiet_p99 event_p50 event_p99 cpu_p50 cpu_p99 files"; exit 1
 * if a check answers wrong. Built by bench/run against common/libmigrate.a.
 *
 *     bench-dirscan DIR [COUNT]
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "dirscan.h"

static double
ms_clock(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double
ms_now(void)
{
	return ms_clock(CLOCK_MONOTONIC);
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

/*
 * Write the entry's first byte again (content unchanged, mtime and ctime
 * move: inotify reports it), time the check that finds it changed, then
 * put its new stat into the snapshot as the reload would.
 */
static double
event_check(const char *dir, struct dirnotify *nt, struct dirscan *s,
    size_t k, double *cpu, bool *ok)
{
	const char *name = s->names + s->v[k].name;
	struct stat st;
	double t0, c0, t;
	char c;
	int dfd, fd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0 ||
	    (fd = openat(dfd, name, O_RDWR)) < 0 ||
	    pread(fd, &c, 1, 0) != 1 || pwrite(fd, &c, 1, 0) != 1 ||
	    close(fd) < 0) {
		*ok = false;
		return 0;
	}
	/* the first check after a load builds the index: so does each */
	free(s->idx);
	s->idx = NULL;
	c0 = ms_clock(CLOCK_PROCESS_CPUTIME_ID);
	t0 = ms_now();
	*ok = dirnotify_same(nt, s) == 0;
	t = ms_now() - t0;
	*cpu = ms_clock(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (fstatat(dfd, name, &st, 0) < 0)
		*ok = false;
	else
		dirscan_set(s, k, &st);
	close(dfd);
	dirnotify_forget(nt);
	return t;
}

int
main(int argc, char **argv)
{
	const struct timespec settle = { 0, DIRSCAN_RACY_NS + 10000000 };
	struct dirnotify nt = DIRNOTIFY_INIT;
	struct dirscan s = { 0 };
	int i, n = argc > 2 ? atoi(argv[2]) : 200;
	double *scan, *quiet, *event, *cpu, t0;
	bool ok = true;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: bench-dirscan DIR [COUNT]\n");
		return 2;
	}
	nanosleep(&settle, NULL);	/* files just written are racy */
	if (dirnotify_open(&nt, argv[1]) < 0 || !nt.local ||
	    dirscan_take(argv[1], &s) < 0 || s.racy || s.links ||
	    s.opaque || s.n == 0) {
		fprintf(stderr, "bench-dirscan: cannot watch or snapshot %s\n",
		    argv[1]);
		return 1;
	}
	scan = calloc((size_t)n, sizeof *scan);
	quiet = calloc((size_t)n, sizeof *quiet);
	event = calloc((size_t)n, sizeof *event);
	cpu = calloc((size_t)n, sizeof *cpu);
	for (i = 0; i < n && ok; i++) {
		t0 = ms_now();
		ok = dirscan_same(argv[1], &s);
		scan[i] = ms_now() - t0;
		t0 = ms_now();
		ok = ok && dirnotify_same(&nt, &s) == 1;
		quiet[i] = ms_now() - t0;
		if (ok)
			event[i] = event_check(argv[1], &nt, &s,
			    (size_t)i * 7919 % s.n, &cpu[i], &ok);
	}
	if (!ok) {
		fprintf(stderr, "bench-dirscan: a check of %s answered wrong "
		    "(run %d)\n", argv[1], i);
		return 1;
	}
	print_stats(scan, n);
	print_stats(quiet, n);
	print_stats(event, n);
	print_stats(cpu, n);
	printf("%zu\n", s.n);
	free(scan);
	free(quiet);
	free(event);
	free(cpu);
	dirscan_clear(&s);
	dirnotify_close(&nt);
	return 0;
}
