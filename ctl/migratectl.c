/* SPDX-License-Identifier: MIT */
/* migratectl.c: main, global options and the verb table. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "output.h"
#include "xmalloc.h"

#define VERB_ANY (-1)

enum verb_flags {
	VERB_DAEMON = 1 << 0,	/* talks to migrated */
	VERB_OFFLINE = 1 << 1,	/* reads the migrations directory */
	VERB_DEFAULT = 1 << 2,	/* runs when no command is given */
};

/* Long-only options; short ones use their letter. */
enum {
	OPT_JSON = 256,
	OPT_TIMEOUT,
	OPT_CHECK,
	OPT_FRESH,
	OPT_SQL,
	OPT_ATOMIC,
	OPT_APPLIED,
	OPT_ROLLED_BACK,
	OPT_DIR,
	OPT_HEAD,
	OPT_NO_TRANSACTION,
	OPT_DEPENDS_ON,
	OPT_BRANCH_LABEL,
	OPT_WAIT_TIMEOUT,
};

struct verb {
	const char *name;
	const char *usage;	/* arguments and options, for --help */
	int min_args, max_args;
	unsigned flags;
	const char *shortopts;
	const struct option *opts;
	ctl_verb_fn fn;
	const char *help;
};

static const struct option global_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};
#define GLOBAL_SHORTOPTS "s:qhV"

static const struct option no_opts[] = { { NULL, 0, NULL, 0 } };
static const struct option status_opts[] = {
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "fresh", no_argument, NULL, OPT_FRESH },
	{ NULL, 0, NULL, 0 }
};
static const struct option history_opts[] = {
	{ "verbose", no_argument, NULL, 'v' },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ NULL, 0, NULL, 0 }
};
static const struct option log_opts[] = {
	{ "limit", required_argument, NULL, 'n' },
	{ NULL, 0, NULL, 0 }
};
static const struct option upgrade_opts[] = {
	{ "sql", no_argument, NULL, OPT_SQL },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ NULL, 0, NULL, 0 }
};
static const struct option downgrade_opts[] = {
	{ "sql", no_argument, NULL, OPT_SQL },
	{ NULL, 0, NULL, 0 }
};
static const struct option wait_opts[] = {
	{ "timeout", required_argument, NULL, OPT_WAIT_TIMEOUT },
	{ NULL, 0, NULL, 0 }
};
static const struct option resolve_opts[] = {
	{ "applied", no_argument, NULL, OPT_APPLIED },
	{ "rolled-back", no_argument, NULL, OPT_ROLLED_BACK },
	{ NULL, 0, NULL, 0 }
};
static const struct option dir_opts[] = {
	{ "dir", required_argument, NULL, OPT_DIR },
	{ NULL, 0, NULL, 0 }
};
static const struct option revision_opts[] = {
	{ "message", required_argument, NULL, 'm' },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "head", required_argument, NULL, OPT_HEAD },
	{ "no-transaction", no_argument, NULL, OPT_NO_TRANSACTION },
	{ "depends-on", required_argument, NULL, OPT_DEPENDS_ON },
	{ "branch-label", required_argument, NULL, OPT_BRANCH_LABEL },
	{ NULL, 0, NULL, 0 }
};
static const struct option merge_opts[] = {
	{ "message", required_argument, NULL, 'm' },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ NULL, 0, NULL, 0 }
};

static const struct verb verbs[] = {
	{ "status", "[--check] [--fresh]", 0, 0, VERB_DAEMON | VERB_DEFAULT,
	    "", status_opts, ctl_status,
	    "database, leader, state, pending steps" },
	{ "current", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_current,
	    "the applied version rows" },
	{ "heads", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_heads,
	    "the heads of the revision graph" },
	{ "history", "[-v] [--dir DIR]", 0, 0, VERB_DAEMON | VERB_OFFLINE,
	    "v", history_opts, ctl_history,
	    "revisions newest first (--dir: offline)" },
	{ "log", "[-n N]", 0, 0, VERB_DAEMON, "n:", log_opts, ctl_log,
	    "the last N operations (migrated_history)" },
	{ "upgrade", "[TARGET] [--sql] [--atomic]", 0, 1, VERB_DAEMON, "",
	    upgrade_opts, ctl_upgrade,
	    "upgrade to TARGET (default head)" },
	{ "downgrade", "TARGET [--sql]", 1, 1, VERB_DAEMON, "",
	    downgrade_opts, ctl_downgrade,
	    "downgrade to TARGET (e.g. -1, base)" },
	{ "stamp", "TARGET", 1, 1, VERB_DAEMON, "", no_opts, ctl_stamp,
	    "set the version rows, run no SQL" },
	{ "verify", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_verify,
	    "compare applied revisions with files" },
	{ "check", "[TARGET]", 0, 1, VERB_DAEMON, "", no_opts, ctl_check,
	    "0 at TARGET (heads), 3 behind, 4 stuck" },
	{ "wait", "[TARGET] [--timeout SEC]", 0, 1, VERB_DAEMON, "",
	    wait_opts, ctl_wait,
	    "wait until at TARGET (default heads)" },
	{ "reload", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_reload,
	    "re-read the migrations directory" },
	{ "cancel", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_cancel,
	    "cancel the running migration step" },
	{ "resolve", "REV --applied|--rolled-back", 1, 1, VERB_DAEMON, "",
	    resolve_opts, ctl_resolve,
	    "settle a dirty non-transactional step" },
	{ "lint", "[--dir DIR]", 0, 0, VERB_OFFLINE, "", dir_opts, ctl_lint,
	    "report every error of the directory" },
	{ "revision", "-m MSG [--dir DIR] [--head REV] [--no-transaction] "
	    "[--depends-on REV,...] [--branch-label LABEL]", 0, 0,
	    VERB_OFFLINE, "m:", revision_opts, ctl_revision,
	    "new revision file on top of the head" },
	{ "merge", "-m MSG [--dir DIR] REV REV...|heads", 1, VERB_ANY,
	    VERB_OFFLINE, "m:", merge_opts, ctl_merge,
	    "new merge revision of REVs (or heads)" },
};

static const struct {
	int code;
	const char *meaning;
} exit_help[] = {
	{ CTL_OK, "done; status --check, check, wait: at the target" },
	{ CTL_FAILED, "the operation failed; lint found errors" },
	{ CTL_USAGE, "usage, bad request or unknown revision" },
	{ CTL_PENDING, "status --check, check: migrations pending" },
	{ CTL_NEEDS_PERSON, "needs a person: ahead, diverged, dirty, drift" },
	{ CTL_UNREACHABLE, "the daemon is unreachable" },
	{ CTL_TEMPFAIL, "temporary failure: try again" },
	{ CTL_NOPERM, "not allowed" },
};

const char *
ctl_migrations_dir(const struct ctl_args *a)
{
	const char *env;

	if (a->dir != NULL)
		return a->dir;
	if ((env = getenv("MIGRATIONS_DIR")) != NULL && *env != '\0')
		return env;
	return CTL_DEFAULT_DIR;
}

/* A usage line, wrapped before a '[' to fit 78 columns. */
static void
ctl_help_usage(FILE *f, const char *buf)
{
	const char *p = buf, *cut, *q;

	while (strlen(p) > 76) {
		cut = NULL;
		for (q = p + 1; q < p + 76 && *q != '\0'; q++)
			if (q[0] == ' ' && q[1] == '[')
				cut = q;
		if (cut == NULL)
			break;
		fprintf(f, "%s%.*s\n", p == buf ? "  " : "      ",
		    (int)(cut - p), p);
		p = cut + 1;
	}
	fprintf(f, "%s%s\n", p == buf ? "  " : "      ", p);
}

static void
ctl_help_verbs(FILE *f, unsigned want, unsigned skip)
{
	char buf[256];
	size_t i;

	for (i = 0; i < ARRAY_LEN(verbs); i++) {
		if (!(verbs[i].flags & want) || (verbs[i].flags & skip))
			continue;
		snprintf(buf, sizeof buf, "%s%s%s", verbs[i].name,
		    *verbs[i].usage != '\0' ? " " : "", verbs[i].usage);
		if (strlen(buf) > 34) {
			ctl_help_usage(f, buf);
			fprintf(f, "  %-34s  %s\n", "", verbs[i].help);
		} else
			fprintf(f, "  %-34s  %s\n", buf, verbs[i].help);
	}
}

static void
ctl_help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: " OUTPUT_PROG " [-s SOCKET] [--json] [-q] "
	    "[--timeout SEC] COMMAND [ARGS]\n\n"
	    "Control the migrated schema migration daemon, or work on a "
	    "migrations\ndirectory offline.\n\n"
	    "Options (also accepted after COMMAND):\n"
	    "  -s, --socket PATH   daemon socket (default: $MIGRATED_SOCKET, "
	    "else\n"
	    "                      " CTL_DEFAULT_SOCKET ")\n"
	    "  --json              print the daemon's JSON reply on stdout\n"
	    "  -q, --quiet         print nothing but errors\n"
	    "  --timeout SEC       limit connecting and waiting for an answer"
	    "\n                      (not upgrade/downgrade/wait progress)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show the version\n\n"
	    "Daemon commands:\n");
	ctl_help_verbs(f, VERB_DAEMON, 0);
	fprintf(f, "\nOffline commands (directory: --dir, else "
	    "$MIGRATIONS_DIR, else\n" CTL_DEFAULT_DIR "):\n");
	ctl_help_verbs(f, VERB_OFFLINE, VERB_DAEMON);
	fprintf(f, "\nTARGET: head, heads, base, a revision or a unique "
	    "prefix (4+ chars),\n+N, -N, REV+N, REV-N, head-N, LABEL@head.\n"
	    "\nExit codes:\n");
	for (i = 0; i < ARRAY_LEN(exit_help); i++)
		fprintf(f, "  %-3d %s\n", exit_help[i].code,
		    exit_help[i].meaning);
}

static const struct verb *
ctl_find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(verbs); i++) {
		if (name == NULL && (verbs[i].flags & VERB_DEFAULT))
			return &verbs[i];
		if (name != NULL && strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	}
	return NULL;
}

/* SEC, with an optional unit (ms, s, min), as milliseconds. */
static int
ctl_parse_seconds(const char *s, int *out)
{
	double v, mult = 1000;
	char *end;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "min") == 0)
		mult = 60000;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return -EINVAL;
	if (v * mult > INT_MAX)
		return -EINVAL;
	*out = (int)(v * mult + 0.5);
	return 0;
}

static int
ctl_parse_count(const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Options without a value: which bool of struct ctl_args they set. */
static const struct {
	int val;
	size_t offset;
} flag_opts[] = {
	{ OPT_JSON, offsetof(struct ctl_args, json) },
	{ 'q', offsetof(struct ctl_args, quiet) },
	{ OPT_CHECK, offsetof(struct ctl_args, check) },
	{ OPT_FRESH, offsetof(struct ctl_args, fresh) },
	{ 'v', offsetof(struct ctl_args, verbose) },
	{ OPT_SQL, offsetof(struct ctl_args, sql) },
	{ OPT_ATOMIC, offsetof(struct ctl_args, atomic) },
	{ OPT_APPLIED, offsetof(struct ctl_args, applied) },
	{ OPT_ROLLED_BACK, offsetof(struct ctl_args, rolled_back) },
	{ OPT_NO_TRANSACTION, offsetof(struct ctl_args, no_transaction) },
};

static void
ctl_set_flag(struct ctl_args *a, int c)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(flag_opts); i++)
		if (flag_opts[i].val == c)
			*(bool *)((char *)a + flag_opts[i].offset) = true;
}

/* Store option c; 0, or -EINVAL after printing why. */
static int
ctl_set_opt(struct ctl_args *a, int c, char *arg, const char *name)
{
	int ms;

	switch (c) {
	case 's':
		a->socket = arg;
		return 0;
	case 'm':
		a->message = arg;
		return 0;
	case OPT_DIR:
		a->dir = arg;
		return 0;
	case OPT_HEAD:
		a->head = arg;
		return 0;
	case OPT_DEPENDS_ON:
		a->depends_on = arg;
		return 0;
	case OPT_BRANCH_LABEL:
		a->branch_label = arg;
		return 0;
	case 'n':
		if (ctl_parse_count(arg, &a->limit) == 0)
			return 0;
		break;
	case OPT_TIMEOUT:
	case OPT_WAIT_TIMEOUT:
		if (ctl_parse_seconds(arg, &ms) < 0)
			break;
		if (c == OPT_TIMEOUT)
			a->timeout_ms = ms > 0 ? ms : -1;
		else
			a->wait_ms = ms;
		return 0;
	default:
		ctl_set_flag(a, c);
		return 0;
	}
	fprintf(stderr, OUTPUT_PROG ": invalid value for %s: '%s'\n", name,
	    arg);
	return -EINVAL;
}

static const char *
ctl_opt_name(const struct option *opts, int c, char *buf, size_t size)
{
	for (; opts->name != NULL; opts++)
		if (opts->val == c) {
			snprintf(buf, size, "--%s", opts->name);
			return buf;
		}
	snprintf(buf, size, "-%c", c);
	return buf;
}

static void
ctl_bad_option(int c, char **argv, const char *verb)
{
	const char *prefix = verb != NULL ? verb : "";
	const char *sep = verb != NULL ? ": " : "";

	if (c == ':')
		fprintf(stderr, OUTPUT_PROG ": %s%soption '%s' needs an "
		    "argument\n", prefix, sep, argv[optind - 1]);
	else if (optopt != 0)
		fprintf(stderr, OUTPUT_PROG ": %s%sunknown option '-%c'\n",
		    prefix, sep, optopt);
	else
		fprintf(stderr, OUTPUT_PROG ": %s%sunknown option '%s'\n",
		    prefix, sep, argv[optind - 1]);
	fprintf(stderr, "Try '" OUTPUT_PROG " --help'.\n");
}

/* Parse options: 0, 1 when --help/--version was printed, -EINVAL. */
static int
ctl_getopt(int argc, char **argv, const char *shortopts,
    const struct option *opts, const char *verb, struct ctl_args *a)
{
	char name[64];
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			ctl_help(stdout);
			return 1;
		case 'V':
			printf("%s (%s) %s\n", OUTPUT_PROG, PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 1;
		case '?':
		case ':':
			ctl_bad_option(c, argv, verb);
			return -EINVAL;
		default:
			if (ctl_set_opt(a, c, optarg, ctl_opt_name(opts, c,
			    name, sizeof name)) < 0)
				return -EINVAL;
			break;
		}
	}
	return 0;
}

/* Does arg (an element before the candidate) take the next element? */
static bool
ctl_takes_arg(const char *arg, const char *shortopts,
    const struct option *opts)
{
	const char *p;
	size_t n;

	if (arg[0] != '-' || arg[1] == '\0')
		return false;
	if (arg[1] != '-') {
		/* The last letter of a short cluster without its value. */
		n = strlen(arg);
		p = strchr(shortopts, arg[n - 1]);
		return n == 2 && p != NULL && p[1] == ':';
	}
	if (strchr(arg, '=') != NULL)
		return false;
	for (; opts->name != NULL; opts++)
		if (strcmp(opts->name, arg + 2) == 0)
			return opts->has_arg == required_argument;
	return false;
}

static bool
ctl_is_negative(const char *s)
{
	return s[0] == '-' && s[1] >= '0' && s[1] <= '9' &&
	    strspn(s + 1, "0123456789") == strlen(s + 1);
}

/*
 * Reorder argv (argv[0] is the verb) so that relative targets such as
 * "-1" are positional: they move after a "--". Returns a new vector.
 */
static char **
ctl_protect_negatives(int argc, char **argv, const char *shortopts,
    const struct option *opts, int *newargc)
{
	char **v = xcalloc((size_t)argc + 2, sizeof *v);
	char **neg = xcalloc((size_t)argc + 1, sizeof *neg);
	int i, n = 0, nneg = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (i > 0 && ctl_is_negative(argv[i]) &&
		    !ctl_takes_arg(argv[i - 1], shortopts, opts))
			neg[nneg++] = argv[i];
		else
			v[n++] = argv[i];
	}
	if (nneg > 0 || i < argc)
		v[n++] = (char *)"--";
	memcpy(v + n, neg, (size_t)nneg * sizeof *v);
	n += nneg;
	for (i++; i < argc; i++)
		v[n++] = argv[i];
	free(neg);
	*newargc = n;
	return v;
}

/* The verb's options followed by the global ones it does not shadow. */
static struct option *
ctl_merge_opts(const struct option *own)
{
	size_t n = 0, m = 0, i, j;
	struct option *all;

	while (own[n].name != NULL)
		n++;
	all = xcalloc(n + ARRAY_LEN(global_opts), sizeof *all);
	memcpy(all, own, n * sizeof *all);
	for (i = 0; global_opts[i].name != NULL; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(own[j].name, global_opts[i].name) == 0)
				break;
		if (j == n)
			all[n + m++] = global_opts[i];
	}
	return all;
}

struct ctl_cmdline {
	const struct verb *verb;
	char **argv;		/* positional arguments of the verb */
	int argc;
	char **vec;		/* owns the reordered vector */
};

/* Parse the verb's part of the command line (argv[0] = verb name). */
static int
ctl_parse_verb(const struct verb *verb, int argc, char **argv,
    struct ctl_args *a, struct ctl_cmdline *cl)
{
	struct option *opts = ctl_merge_opts(verb->opts);
	char *shortopts;
	int r, n;

	shortopts = xasprintf(":%s" GLOBAL_SHORTOPTS, verb->shortopts);
	cl->verb = verb;
	cl->vec = ctl_protect_negatives(argc, argv, shortopts, opts, &n);
	r = ctl_getopt(n, cl->vec, shortopts, opts, verb->name, a);
	free(shortopts);
	free(opts);
	if (r != 0)
		return r;
	cl->argv = cl->vec + optind;
	cl->argc = n - optind;
	if (cl->argc < verb->min_args) {
		fprintf(stderr, OUTPUT_PROG ": %s: missing argument\n"
		    "Usage: " OUTPUT_PROG " %s %s\n", verb->name, verb->name,
		    verb->usage);
		return -EINVAL;
	}
	if (verb->max_args != VERB_ANY && cl->argc > verb->max_args) {
		fprintf(stderr, OUTPUT_PROG ": %s: too many arguments\n"
		    "Usage: " OUTPUT_PROG " %s %s\n", verb->name, verb->name,
		    verb->usage);
		return -EINVAL;
	}
	return 0;
}

/* Parse the whole command line: 0 to run, 1 when done, -EINVAL. */
static int
ctl_parse(int argc, char **argv, struct ctl_args *a, struct ctl_cmdline *cl)
{
	static char *none[] = { NULL, NULL };
	const struct verb *verb;
	int r;

	r = ctl_getopt(argc, argv, "+:" GLOBAL_SHORTOPTS, global_opts, NULL,
	    a);
	if (r != 0)
		return r;
	if (optind == argc) {
		verb = ctl_find_verb(NULL);
		none[0] = (char *)verb->name;
		return ctl_parse_verb(verb, 1, none, a, cl);
	}
	if ((verb = ctl_find_verb(argv[optind])) == NULL) {
		fprintf(stderr, OUTPUT_PROG ": unknown command '%s'\n"
		    "Try '" OUTPUT_PROG " --help'.\n", argv[optind]);
		return -EINVAL;
	}
	return ctl_parse_verb(verb, argc - optind, argv + optind, a, cl);
}

static void
ctl_args_init(struct ctl_args *a)
{
	memset(a, 0, sizeof *a);
	a->timeout_ms = -1;
	a->limit = -1;
	a->wait_ms = -1;
}

/* Defaults that depend on the environment. */
static void
ctl_args_finish(struct ctl_args *a)
{
	const char *env, *term;

	if (a->socket == NULL) {
		env = getenv("MIGRATED_SOCKET");
		a->socket = env != NULL && *env != '\0' ? env :
		    CTL_DEFAULT_SOCKET;
	}
	a->tty = isatty(STDOUT_FILENO) == 1;
	env = getenv("NO_COLOR");
	term = getenv("TERM");
	a->color = a->tty && (env == NULL || *env == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

int
main(int argc, char **argv)
{
	struct ctl_cmdline cl = { 0 };
	struct ctl_args a;
	enum ctl_exit ex;
	int r;

	ctl_args_init(&a);
	r = ctl_parse(argc, argv, &a, &cl);
	if (r != 0) {
		free(cl.vec);
		exit(r > 0 ? CTL_OK : CTL_USAGE);
	}
	ctl_args_finish(&a);
	signal(SIGPIPE, SIG_IGN);
	ex = cl.verb->fn(&a, cl.argc, cl.argv);
	free(cl.vec);
	if (fflush(stdout) != 0 && ex == CTL_OK) {
		fprintf(stderr, OUTPUT_PROG ": write error: %s\n",
		    strerror(errno));
		ex = CTL_FAILED;
	}
	exit(ex);
}
