/* SPDX-License-Identifier: MIT */
/* migratectl.c: main and the command line (the verbs are in verbs.c). */
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
#include "kvfile.h"
#include "output.h"
#include "verbs.h"
#include "xmalloc.h"

const char *
ctl_migrations_dir(const struct ctl_args *a)
{
	const char *env;

	if (a->dir != NULL)
		return a->dir;
	if ((env = getenv("MIGRATIONS_DIR")) != NULL && *env != '\0')
		return env;
	if (a->conf_dir != NULL)
		return a->conf_dir;
	return CTL_DEFAULT_DIR;
}

/* kvfile_read() callback: keep the keys migratectl uses. */
static void
ctl_conf_line(void *arg, const char *path, unsigned int n, const char *key,
    const char *value, const char *problem)
{
	struct ctl_args *a = arg;
	char **slot = NULL;

	if (problem != NULL) {
		fprintf(stderr, OUTPUT_PROG ": %s:%u: %s\n", path, n, problem);
		a->conf_bad = true;
		return;
	}
	if (strcmp(key, "migrations_dir") == 0)
		slot = &a->conf_dir;
	else if (strcmp(key, "socket_path") == 0)
		slot = &a->conf_socket;
	else if (strcmp(key, "version_table") == 0)
		slot = &a->conf_vt;
	else if (strcmp(key, "version_table_schema") == 0)
		slot = &a->conf_vt_schema;
	else if (strcmp(key, "schema_path") == 0)
		slot = &a->conf_schema;
	else if (strcmp(key, "database_url") == 0)
		slot = &a->conf_url;
	if (slot == NULL)
		return;		/* the daemon's business */
	free(*slot);
	*slot = *value != '\0' ? xstrdup(value) : NULL;
}

/* -c FILE: read the daemon's settings file; 0, or -EINVAL after saying. */
static int
ctl_read_conf(struct ctl_args *a)
{
	int r;

	if (a->config == NULL)
		return 0;
	if ((r = kvfile_read(a->config, ctl_conf_line, a)) < 0) {
		fprintf(stderr, OUTPUT_PROG ": %s: %s\n", a->config,
		    strerror(-r));
		return -EINVAL;
	}
	return a->conf_bad ? -EINVAL : 0;
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
	{ OPT_RULES, offsetof(struct ctl_args, rules) },
	{ OPT_AUTOGENERATE, offsetof(struct ctl_args, autogenerate) },
	{ OPT_ALLOW_DROP, offsetof(struct ctl_args, allow_drop) },
	{ OPT_GRANTS, offsetof(struct ctl_args, grants) },
	{ OPT_NO_PROVE, offsetof(struct ctl_args, no_prove) },
	{ OPT_SCHEMA_CHECK, offsetof(struct ctl_args, schema_check) },
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
	case 'c':
		a->config = arg;
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
	case OPT_REQUIRES:
		a->requires = arg;
		return 0;
	case OPT_DB:
		a->db = arg;
		return 0;
	case OPT_FORMAT:
		a->format = arg;
		return 0;
	case OPT_FAIL_ON:
		a->fail_on = arg;
		return 0;
	case OPT_PG_VERSION:
		a->pg_version = arg;
		return 0;
	case OPT_SCHEMA:
		a->schema = arg;
		return 0;
	case OPT_DEV_URL:
		a->dev_url = arg;
		return 0;
	case OPT_RENAME:
		if (a->nrenames < CTL_MAX_RENAMES) {
			a->renames[a->nrenames++] = arg;
			return 0;
		}
		break;
	case 'n':
		if (ctl_parse_count(arg, &a->limit) == 0)
			return 0;
		break;
	case OPT_TIMEOUT:
	case OPT_WAIT_TIMEOUT:
		if (ctl_parse_seconds(arg, &ms) < 0)
			break;
		if (c == OPT_TIMEOUT) {
			a->timeout_ms = ms > 0 ? ms : -1;
			a->timeout_given = true;
		} else
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
ctl_bad_option(int c, char **argv, const struct option *opts,
    const struct verb *verb)
{
	const char *prefix = verb != NULL ? verb->name : "";
	const char *sep = verb != NULL ? ": " : "";
	const char *near = NULL;

	if (c == ':')
		fprintf(stderr, OUTPUT_PROG ": %s%soption '%s' needs an "
		    "argument\n", prefix, sep, argv[optind - 1]);
	else if (optopt != 0)
		fprintf(stderr, OUTPUT_PROG ": %s%sunknown option '-%c'\n",
		    prefix, sep, optopt);
	else {
		fprintf(stderr, OUTPUT_PROG ": %s%sunknown option '%s'\n",
		    prefix, sep, argv[optind - 1]);
		near = verbs_suggest_opt(argv[optind - 1], opts);
	}
	if (near != NULL)
		fprintf(stderr, "Did you mean '--%s'?\n", near);
	if (verb != NULL)
		fprintf(stderr, "Try '" OUTPUT_PROG " %s --help'.\n",
		    verb->name);
	else
		fprintf(stderr, "Try '" OUTPUT_PROG " --help'.\n");
}

/* Parse options: 0, 1 when --help/--version was printed, -EINVAL. */
static int
ctl_getopt(int argc, char **argv, const char *shortopts,
    const struct option *opts, const struct verb *verb, struct ctl_args *a)
{
	char name[64];
	int c;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			if (verb != NULL)
				verbs_help_verb(stdout, verb);
			else
				verbs_help(stdout);
			return 1;
		case 'V':
			printf("%s (%s) %s\n", OUTPUT_PROG, PACKAGE_NAME,
			    PACKAGE_VERSION);
			return 1;
		case '?':
		case ':':
			ctl_bad_option(c, argv, opts, verb);
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
	all = xcalloc(n + verbs_nglobal_opts, sizeof *all);
	memcpy(all, own, n * sizeof *all);
	for (i = 0; verbs_global_opts[i].name != NULL; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(own[j].name, verbs_global_opts[i].name) ==
			    0)
				break;
		if (j == n)
			all[n + m++] = verbs_global_opts[i];
	}
	return all;
}

struct ctl_cmdline {
	const struct verb *verb;
	char **argv;		/* positional arguments of the verb */
	int argc;
	char **vec;		/* owns the reordered vector */
};

static int
ctl_bad_args(const struct verb *verb, const char *why)
{
	fprintf(stderr, OUTPUT_PROG ": %s: %s\n"
	    "Usage: " OUTPUT_PROG " %s %s\n"
	    "Try '" OUTPUT_PROG " %s --help'.\n", verb->name, why, verb->name,
	    verb->usage, verb->name);
	return -EINVAL;
}

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
	r = ctl_getopt(n, cl->vec, shortopts, opts, verb, a);
	free(shortopts);
	free(opts);
	if (r != 0)
		return r;
	cl->argv = cl->vec + optind;
	cl->argc = n - optind;
	if (cl->argc < verb->min_args)
		return ctl_bad_args(verb, "missing argument");
	if (verb->max_args != VERB_ANY && cl->argc > verb->max_args)
		return ctl_bad_args(verb, "too many arguments");
	return 0;
}

/* Parse the whole command line: 0 to run, 1 when done, -EINVAL. */
static int
ctl_parse(int argc, char **argv, struct ctl_args *a, struct ctl_cmdline *cl)
{
	static char *none[] = { NULL, NULL };
	const struct verb *verb;
	const char *near;
	int r;

	r = ctl_getopt(argc, argv, "+:" GLOBAL_SHORTOPTS, verbs_global_opts,
	    NULL, a);
	if (r != 0)
		return r;
	if (optind == argc) {
		verb = verbs_find(NULL);
		none[0] = (char *)verb->name;
		return ctl_parse_verb(verb, 1, none, a, cl);
	}
	if ((verb = verbs_find(argv[optind])) == NULL) {
		fprintf(stderr, OUTPUT_PROG ": unknown command '%s'\n",
		    argv[optind]);
		if ((near = verbs_suggest(argv[optind])) != NULL)
			fprintf(stderr, "Did you mean '%s'?\n", near);
		fprintf(stderr, "Try '" OUTPUT_PROG " help'.\n");
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

static void
ctl_args_free(struct ctl_args *a)
{
	free(a->conf_dir);
	free(a->conf_socket);
	free(a->conf_vt);
	free(a->conf_vt_schema);
	free(a->conf_schema);
	free(a->conf_url);
}

/* Defaults that depend on the environment. */
static void
ctl_args_finish(struct ctl_args *a)
{
	const char *env, *term;

	if (a->socket == NULL) {
		env = getenv("MIGRATED_SOCKET");
		a->socket = env != NULL && *env != '\0' ? env :
		    a->conf_socket != NULL ? a->conf_socket :
		    CTL_DEFAULT_SOCKET;
	}
	a->tty = isatty(STDOUT_FILENO) == 1;
	env = getenv("NO_COLOR");
	term = getenv("TERM");
	a->color = a->tty && (env == NULL || *env == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

int
ctl_once_check(int argc, char **argv, bool *change)
{
	struct ctl_cmdline cl = { 0 };
	struct ctl_args a;
	char *names;
	int r;

	ctl_args_init(&a);
	r = ctl_parse(argc, argv, &a, &cl);
	if (r == 0 && !(cl.verb->flags & VERB_ONCE)) {
		names = verbs_names(VERB_ONCE);
		fprintf(stderr, "migrated: --once cannot run %s (it runs: "
		    "%s)\n", cl.verb->name, names);
		free(names);
		r = -EINVAL;
	}
	if (r == 0)
		*change = (cl.verb->flags & VERB_CHANGE) && !a.sql;
	free(cl.vec);
	ctl_args_free(&a);
	return r == 0 ? -1 : r > 0 ? CTL_OK : CTL_USAGE;
}

int
ctl_main(int argc, char **argv)
{
	struct ctl_cmdline cl = { 0 };
	struct ctl_args a;
	enum ctl_exit ex;
	int r;

	ctl_full_init(argc, argv);
	ctl_args_init(&a);
	r = ctl_parse(argc, argv, &a, &cl);
	if (r != 0) {
		free(cl.vec);
		return r > 0 ? CTL_OK : CTL_USAGE;
	}
	if (ctl_read_conf(&a) < 0) {
		free(cl.vec);
		ctl_args_free(&a);
		return CTL_USAGE;
	}
	ctl_args_finish(&a);
	signal(SIGPIPE, SIG_IGN);
	ex = cl.verb->fn(&a, cl.argc, cl.argv);
	free(cl.vec);
	ctl_args_free(&a);
	if (fflush(stdout) != 0 && ex == CTL_OK) {
		fprintf(stderr, OUTPUT_PROG ": write error: %s\n",
		    strerror(errno));
		ex = CTL_FAILED;
	}
	return ex;
}

#ifndef CTL_NO_MAIN
int
main(int argc, char **argv)
{
	exit(ctl_main(argc, argv));
}
#endif
