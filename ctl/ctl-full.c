/* SPDX-License-Identifier: MIT */
/* ctl-full.c: run migratectl-full for the commands built only into it. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "output.h"

#define CTL_FULL_NAME "migratectl-full"

static char **ctl_full_argv;

void
ctl_full_init(int argc, char **argv)
{
#ifdef CTL_FULL
	/* migratectl-full runs its commands itself: nothing to keep (a copy
	 * never read is a leak to LeakSanitizer) */
	return;
#endif
	/* getopt_long() permutes argv: keep the order the user gave */
	ctl_full_argv = xcalloc((size_t)argc + 1, sizeof *ctl_full_argv);
	memcpy(ctl_full_argv, argv, (size_t)argc * sizeof *argv);
}

/*
 * Where migratectl-full is: next to this program (the build tree), else
 * in PKGLIBEXECDIR (installed). 0, or -ENOENT with the installed path.
 */
static int
ctl_full_path(char *buf, size_t size)
{
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", buf, size);
	if (n > 0 && (size_t)n < size) {
		buf[n] = '\0';
		slash = strrchr(buf, '/');
		if (slash != NULL && (size_t)(slash + 1 - buf) +
		    sizeof CTL_FULL_NAME <= size) {
			memcpy(slash + 1, CTL_FULL_NAME, sizeof CTL_FULL_NAME);
			if (access(buf, X_OK) == 0)
				return 0;
		}
	}
	snprintf(buf, size, "%s/%s", PKGLIBEXECDIR, CTL_FULL_NAME);
	return access(buf, X_OK) == 0 ? 0 : -ENOENT;
}

enum ctl_exit
ctl_full_exec(const struct ctl_args *a, int argc, char **argv)
{
	char path[PATH_MAX];

#ifdef CTL_FULL
	/* CTL_HEAVY() names the handler itself in this build */
	fprintf(stderr, OUTPUT_PROG ": internal error: %s is not built in\n",
	    argc > 0 ? argv[0] : "this command");
	return CTL_FAILED;
#endif
	(void)ctl_full_path(path, sizeof path);
	(void)fflush(stdout);
	execv(path, ctl_full_argv);
	fprintf(stderr, OUTPUT_PROG ": cannot run %s: %s\n", path,
	    strerror(errno));
	return CTL_FAILED;
}
