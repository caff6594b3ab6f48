/* SPDX-License-Identifier: MIT */
/* verbs.h: migratectl's verb table, its options and its help texts. */
#ifndef MIGRATED_VERBS_H
#define MIGRATED_VERBS_H

#include <getopt.h>
#include <stdio.h>

#include "ctl.h"

#define VERB_ANY (-1)

enum verb_flags {
	VERB_DAEMON = 1 << 0,	/* talks to migrated */
	VERB_OFFLINE = 1 << 1,	/* reads the migrations directory */
	VERB_DEFAULT = 1 << 2,	/* runs when no command is given */
	VERB_HELP = 1 << 3,	/* about migratectl itself */
	VERB_ONCE = 1 << 4,	/* migrated --once runs it too */
	VERB_CHANGE = 1 << 5,	/* needs the leader (unless --sql) */
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
	OPT_REQUIRES,
	OPT_DB,
	OPT_FORMAT,
	OPT_FAIL_ON,
	OPT_PG_VERSION,
	OPT_RULES,
	OPT_AUTOGENERATE,
	OPT_SCHEMA,
	OPT_DEV_URL,
	OPT_RENAME,
	OPT_ALLOW_DROP,
	OPT_GRANTS,
	OPT_NO_PROVE,
	OPT_SCHEMA_CHECK,
};

/* One line of a command's --help: "  --sql   what it does". */
struct verb_opt_help {
	const char *flag;
	const char *help;
};

struct verb {
	const char *name;
	const char *usage;	/* arguments and options, for --help */
	int min_args, max_args;
	unsigned flags;
	const char *shortopts;
	const struct option *opts;
	ctl_verb_fn fn;
	const char *help;	/* one line, for the command list */
	const char *about;	/* paragraph of `help COMMAND` */
	const struct verb_opt_help *opthelp;
};

#define GLOBAL_SHORTOPTS "s:c:qhV"
extern const struct option verbs_global_opts[];
extern const size_t verbs_nglobal_opts;

/* The verb called name, the default verb for NULL, or NULL. */
const struct verb *verbs_find(const char *name);
/* "a, b, c": the names of the verbs with a flag of want; caller frees. */
char *verbs_names(unsigned want);
/* The verb name closest to a mistyped one, or NULL (borrowed). */
const char *verbs_suggest(const char *name);
/*
 * The long option of opts (or a global one) closest to a mistyped
 * "--name[=value]", or NULL (borrowed).
 */
const char *verbs_suggest_opt(const char *arg, const struct option *opts);

/* The whole --help text. */
void verbs_help(FILE *f);
/* The help of one command: usage, what it does, its options. */
void verbs_help_verb(FILE *f, const struct verb *v);

#endif
