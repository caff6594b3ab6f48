/* SPDX-License-Identifier: MIT */
/* verbs.c: migratectl's verb table, its options and its help texts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "suggest.h"
#include "verbs.h"
#include "xmalloc.h"

static enum ctl_exit verbs_help_cmd(const struct ctl_args *, int, char **);

const struct option verbs_global_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "config", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "quiet", no_argument, NULL, 'q' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};
const size_t verbs_nglobal_opts = ARRAY_LEN(verbs_global_opts);

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
	{ "verbose", no_argument, NULL, 'v' },
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
static const struct option check_opts[] = {
	{ "requires", required_argument, NULL, OPT_REQUIRES },
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
static const struct option lint_opts[] = {
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "db", required_argument, NULL, OPT_DB },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "pg-version", required_argument, NULL, OPT_PG_VERSION },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "rules", no_argument, NULL, OPT_RULES },
	{ "verbose", no_argument, NULL, 'v' },
	{ NULL, 0, NULL, 0 }
};
/* revision --autogenerate and diff (doc/autogenerate.md) */
#define AUTOGEN_OPTS \
	{ "schema", required_argument, NULL, OPT_SCHEMA }, \
	{ "dev-url", required_argument, NULL, OPT_DEV_URL }, \
	{ "rename", required_argument, NULL, OPT_RENAME }, \
	{ "allow-drop", no_argument, NULL, OPT_ALLOW_DROP }, \
	{ "grants", no_argument, NULL, OPT_GRANTS }
static const struct option revision_opts[] = {
	{ "message", required_argument, NULL, 'm' },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "head", required_argument, NULL, OPT_HEAD },
	{ "no-transaction", no_argument, NULL, OPT_NO_TRANSACTION },
	{ "depends-on", required_argument, NULL, OPT_DEPENDS_ON },
	{ "branch-label", required_argument, NULL, OPT_BRANCH_LABEL },
	AUTOGEN_OPTS,
	{ "autogenerate", no_argument, NULL, OPT_AUTOGENERATE },
	{ NULL, 0, NULL, 0 }
};
static const struct option verify_opts[] = {
	{ "schema", no_argument, NULL, OPT_SCHEMA_CHECK },
	{ NULL, 0, NULL, 0 }
};
static const struct option diff_opts[] = {
	{ "dir", required_argument, NULL, OPT_DIR },
	AUTOGEN_OPTS,
	{ "no-prove", no_argument, NULL, OPT_NO_PROVE },
	{ NULL, 0, NULL, 0 }
};
static const struct option merge_opts[] = {
	{ "message", required_argument, NULL, 'm' },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ NULL, 0, NULL, 0 }
};

#define DIR_HELP { "--dir DIR", "the migrations directory (default: " \
	"$MIGRATIONS_DIR, else migrations_dir of -c FILE, else " \
	CTL_DEFAULT_DIR ")" }
#define SQL_HELP { "--sql", "print the SQL that would run; change " \
	"nothing (a read: anyone may)" }

static const struct verb_opt_help status_help[] = {
	{ "--check", "exit 0 current, 3 behind, 4 needs a person, 75 "
	    "unknown" },
	{ "--fresh", "re-read the database before answering" },
	{ NULL, NULL }
};
static const struct verb_opt_help history_help[] = {
	{ "-v, --verbose", "a block per revision: parents, path, applied, "
	    "dates" },
	{ "--dir DIR", "read DIR instead of asking the daemon" },
	{ NULL, NULL }
};
static const struct verb_opt_help log_help[] = {
	{ "-n, --limit N", "the last N operations (default 20)" },
	{ "-v, --verbose", "every column of each row, errors in full" },
	{ NULL, NULL }
};
static const struct verb_opt_help upgrade_help[] = {
	SQL_HELP,
	{ "--atomic", "the whole upgrade in one transaction" },
	{ NULL, NULL }
};
static const struct verb_opt_help downgrade_help[] = {
	SQL_HELP,
	{ NULL, NULL }
};
static const struct verb_opt_help check_help[] = {
	{ "--requires REV", "exit 0 when REV is applied, even with newer "
	    "revisions on top (for an application that needs REV)" },
	{ NULL, NULL }
};
static const struct verb_opt_help wait_help[] = {
	{ "--timeout SEC", "give up after SEC seconds (exit 75)" },
	{ NULL, NULL }
};
static const struct verb_opt_help resolve_help[] = {
	{ "--applied", "the step took effect: REV counts as applied" },
	{ "--rolled-back", "it did not: REV and above count as not applied" },
	{ NULL, NULL }
};
static const struct verb_opt_help lint_help[] = {
	DIR_HELP,
	{ "--db URL", "also read the database: version rows, server "
	    "version, sizes and catalog of the tables the pending revisions "
	    "touch" },
	{ "--json", "one JSON document (findings, counts)" },
	{ "--format FMT", "text (default), json or sarif (SARIF 2.1.0)" },
	{ "--fail-on LEVEL", "exit 1 from this severity up: error (default), "
	    "warning, note, none" },
	{ "--pg-version N", "lint for this server version offline (14.2, "
	    "11, 140002)" },
	{ "--atomic", "lint as if the upgrade ran in one transaction" },
	{ "-v, --verbose", "also print the findings lint_allow silenced" },
	{ "--rules", "print the rule table and exit" },
	{ NULL, NULL }
};
#define AUTOGEN_HELP \
	{ "--schema PATH", "the desired schema: a .sql file or a directory " \
	    "of them (default: schema_path of -c FILE, else schema.sql, " \
	    "else schema/, next to DIR)" }, \
	{ "--dev-url URL", "a server where scratch databases may be made " \
	    "(default: $MIGRATED_DEV_URL, else the server of " \
	    "$DATABASE_URL, else of database_url in -c FILE)" }, \
	{ "--rename KIND:OLD=NEW", "OLD was renamed to NEW, not dropped " \
	    "(repeatable; KIND: table, column, view, index, ...)" }, \
	{ "--allow-drop", "allow dropping tables, columns and sequences " \
	    "(their data is lost)" }, \
	{ "--grants", "also plan GRANT/REVOKE for privileges that differ" }
static const struct verb_opt_help revision_help[] = {
	{ "-m, --message MSG", "the revision's message (and file name)" },
	DIR_HELP,
	{ "--head REV", "the parent when there are several heads (base: a "
	    "new root)" },
	{ "--no-transaction", "transactional: false (CREATE INDEX "
	    "CONCURRENTLY)" },
	{ "--depends-on REV,...", "revisions that must be applied first" },
	{ "--branch-label LABEL", "a label, for LABEL@head targets" },
	{ "--autogenerate", "write upgrade and downgrade from the desired "
	    "schema, proven on scratch databases (doc/autogenerate.md)" },
	AUTOGEN_HELP,
	{ NULL, NULL }
};
static const struct verb_opt_help verify_help[] = {
	{ "--schema", "also name the schema objects changed outside "
	    "migrations (schema drift)" },
	{ NULL, NULL }
};
static const struct verb_opt_help diff_help[] = {
	DIR_HELP,
	AUTOGEN_HELP,
	{ "--no-prove", "skip applying the plan to a scratch database" },
	{ NULL, NULL }
};
static const struct verb_opt_help merge_help[] = {
	{ "-m, --message MSG", "the merge revision's message" },
	DIR_HELP,
	{ NULL, NULL }
};
static const struct verb_opt_help no_help[] = { { NULL, NULL } };

static const struct verb verbs[] = {
	{ "status", "[--check] [--fresh]", 0, 0,
	    VERB_DAEMON | VERB_DEFAULT | VERB_ONCE, "", status_opts,
	    ctl_status, "database, leader, state, pending steps",
	    "Show the database, this daemon's role, the state (current, "
	    "behind, ahead, diverged, dirty, unknown), the version rows, the "
	    "heads, the pending revisions, the running step, drift, and what "
	    "to do next.", status_help },
	{ "current", "", 0, 0, VERB_DAEMON | VERB_ONCE, "", no_opts,
	    ctl_current, "the applied version rows",
	    "Print each version row as \"REV (head)\", the mark only when it "
	    "is a head; nothing at base.", no_help },
	{ "heads", "", 0, 0, VERB_DAEMON | VERB_ONCE, "", no_opts, ctl_heads,
	    "the heads of the revision graph",
	    "Print each head as \"REV (head)\", followed by \"(current)\" "
	    "when it is applied.", no_help },
	{ "history", "[-v] [--dir DIR]", 0, 0,
	    VERB_DAEMON | VERB_OFFLINE | VERB_ONCE, "v", history_opts,
	    ctl_history, "revisions newest first (--dir: offline)",
	    "List the revisions newest first as \"DOWN -> REV (head), "
	    "MESSAGE\", as Alembic does.", history_help },
	{ "log", "[-n N] [-v]", 0, 0, VERB_DAEMON | VERB_ONCE, "n:v",
	    log_opts,
	    ctl_log, "the last N operations (migrated_history)",
	    "Show the last operations recorded in the history table: time, "
	    "operation, revision, outcome, duration, user and error. On a "
	    "terminal a row is cut to its width; otherwise errors are shown "
	    "whole, their further lines indented under the row.",
	    log_help },
	{ "upgrade", "[TARGET] [--sql] [--atomic]", 0, 1,
	    VERB_DAEMON | VERB_ONCE | VERB_CHANGE, "",
	    upgrade_opts, ctl_upgrade, "upgrade to TARGET (default head)",
	    "Upgrade the database to TARGET (default head), one line per "
	    "revision with its duration. Ctrl-C asks the daemon to cancel "
	    "the running step.", upgrade_help },
	{ "downgrade", "TARGET [--sql]", 1, 1,
	    VERB_DAEMON | VERB_ONCE | VERB_CHANGE, "",
	    downgrade_opts, ctl_downgrade,
	    "downgrade to TARGET (e.g. -1, base)",
	    "Downgrade the database to TARGET, for example -1 or base.",
	    downgrade_help },
	{ "stamp", "TARGET", 1, 1, VERB_DAEMON | VERB_ONCE | VERB_CHANGE, "",
	    no_opts, ctl_stamp,
	    "set the version rows, run no SQL",
	    "Set the version rows to TARGET without running any migration.",
	    no_help },
	{ "verify", "[--schema]", 0, 0, VERB_DAEMON | VERB_ONCE, "",
	    verify_opts, ctl_verify, "compare applied revisions with files",
	    "Compare the checksum recorded for each applied revision with "
	    "its file; exit 4 when an upgrade section changed (drift). With "
	    "--schema, also compare the live catalog with the fingerprints "
	    "the leader recorded after its last plan, naming each object "
	    "changed outside migrations (exit 4; 75 while none is recorded).",
	    verify_help },
	{ "check", "[TARGET | --requires REV]", 0, 1, VERB_DAEMON | VERB_ONCE,
	    "",
	    check_opts, ctl_check, "0 at TARGET (heads), 3 behind, 4 stuck",
	    "Compare the database with TARGET (default heads): exit 0 when it "
	    "is there, 3 when an upgrade would reach it, 4 when only a person "
	    "can, 75 when the state is unknown. With --requires REV: exit 0 "
	    "when the database is at or beyond REV (REV is a version row or "
	    "an ancestor of one), 3 when an upgrade would apply it, 4 when "
	    "only a person can (REV dirty or drifted, the database ahead or "
	    "diverged).", check_help },
	{ "wait", "[TARGET] [--timeout SEC]", 0, 1, VERB_DAEMON, "",
	    wait_opts, ctl_wait, "wait until at TARGET (default heads)",
	    "Wait until the database is at TARGET (default heads): exit 0 "
	    "when it is, 4 at once when only a person can bring it there.",
	    wait_help },
	{ "reload", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_reload,
	    "re-read the migrations directory",
	    "Make the daemon re-read its migrations directory; a directory "
	    "with errors is rejected and the old set kept.", no_help },
	{ "cancel", "", 0, 0, VERB_DAEMON, "", no_opts, ctl_cancel,
	    "cancel the running migration step",
	    "Cancel the running step; a transactional one rolls back.",
	    no_help },
	{ "resolve", "REV --applied|--rolled-back", 1, 1,
	    VERB_DAEMON | VERB_ONCE | VERB_CHANGE, "",
	    resolve_opts, ctl_resolve, "settle a dirty non-transactional step",
	    "After checking the database by hand, record whether the "
	    "non-transactional revision REV that left the database dirty "
	    "took effect.", resolve_help },
	{ "lint", "[--dir DIR] [--db URL] [--json | --format sarif] "
	    "[--fail-on LEVEL] [--pg-version N] [--atomic] [-v] [--rules]", 0,
	    0, VERB_OFFLINE, "v", lint_opts, CTL_HEAVY(ctl_lint),
	    "lint files and SQL for dangerous changes",
	    "Load every migration file and build the revision graph (every "
	    "problem as FILE:LINE: message, exit 1); then parse each statement "
	    "with PostgreSQL's grammar and report what would lock, rewrite or "
	    "scan a busy table, fail on real data or lose data, as "
	    "FILE:LINE:COL: severity RULE: message. Exit 1 on errors. A "
	    "revision allows a rule with -- lint_allow: RULE reason.",
	    lint_help },
	{ "revision", "-m MSG [--dir DIR] [--head REV] [--no-transaction] "
	    "[--depends-on REV,...] [--branch-label LABEL] [--autogenerate] "
	    "[--schema PATH] [--dev-url URL] [--allow-drop] [--grants] "
	    "[--rename KIND:OLD=NEW]...", 0, 0,
	    VERB_OFFLINE, "m:", revision_opts, ctl_revision,
	    "new revision file on top of the head",
	    "Write a new revision file, chained to the head, with an empty "
	    "upgrade section to fill in, and print its path.",
	    revision_help },
	{ "diff", "[--dir DIR] [--schema PATH] [--dev-url URL] [--allow-drop] "
	    "[--grants] [--no-prove] [--rename KIND:OLD=NEW]...", 0, 0,
	    VERB_OFFLINE, "", diff_opts,
	    CTL_HEAVY(ctl_diff), "the plan toward the desired schema",
	    "Replay the migrations to their heads and build the desired schema "
	    "in two scratch databases, compare their catalogs, and print the "
	    "revision(s) that revision --autogenerate would write, proven on "
	    "the scratch copy, with each statement's lock, rewrite and data "
	    "loss. Writes nothing.", diff_help },
	{ "merge", "-m MSG [--dir DIR] REV REV...|heads", 1, VERB_ANY,
	    VERB_OFFLINE, "m:", merge_opts, ctl_merge,
	    "new merge revision of REVs (or heads)",
	    "Write a merge revision whose parents are the given revisions "
	    "(ids, prefixes, or heads for all heads).", merge_help },
	{ "help", "[COMMAND]", 0, 1, VERB_HELP, "", no_opts, verbs_help_cmd,
	    "this help, or the help of COMMAND",
	    "Print the list of commands, or the usage and options of "
	    "COMMAND (also: COMMAND --help).", no_help },
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

const struct verb *
verbs_find(const char *name)
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

char *
verbs_names(unsigned want)
{
	const char *sep = "";
	char *s = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&s, &len)) == NULL)
		fatal("open_memstream: out of memory");
	for (i = 0; i < ARRAY_LEN(verbs); i++)
		if (verbs[i].flags & want) {
			fprintf(f, "%s%s", sep, verbs[i].name);
			sep = ", ";
		}
	if (fclose(f) != 0 || s == NULL)
		fatal("open_memstream: out of memory");
	return s;
}

const char *
verbs_suggest(const char *name)
{
	const char *names[ARRAY_LEN(verbs)];
	size_t i;

	for (i = 0; i < ARRAY_LEN(verbs); i++)
		names[i] = verbs[i].name;
	return suggest_closest(name, names, ARRAY_LEN(verbs));
}

const char *
verbs_suggest_opt(const char *arg, const struct option *opts)
{
	const char *names[64];
	char word[SUGGEST_MAX_LEN + 1];
	size_t n = 0, len;

	if (strncmp(arg, "--", 2) != 0)
		return NULL;
	len = strcspn(arg + 2, "=");
	if (len > SUGGEST_MAX_LEN)
		return NULL;
	memcpy(word, arg + 2, len);
	word[len] = '\0';
	for (; opts->name != NULL && n < ARRAY_LEN(names); opts++)
		names[n++] = opts->name;
	for (opts = verbs_global_opts; opts->name != NULL &&
	    n < ARRAY_LEN(names); opts++)
		names[n++] = opts->name;
	return suggest_closest(word, names, n);
}

#define VERBS_USAGE_MORE "      "	/* indent of a usage's next lines */

/* A usage line, wrapped before a '[' to fit 78 columns. */
static void
verbs_help_usage(FILE *f, const char *indent, const char *buf)
{
	const char *p = buf, *cut, *q, *in = indent;
	size_t width;

	for (;;) {
		width = 76 - strlen(in);
		if (strlen(p) <= width)
			break;
		cut = NULL;
		for (q = p + 1; q < p + width && *q != '\0'; q++)
			if (q[0] == ' ' && q[1] == '[')
				cut = q;
		if (cut == NULL)
			break;
		fprintf(f, "%s%.*s\n", in, (int)(cut - p), p);
		p = cut + 1;
		in = VERBS_USAGE_MORE;
	}
	fprintf(f, "%s%s\n", in, p);
}

static void
verbs_help_list(FILE *f, unsigned want, unsigned skip)
{
	char buf[256];
	size_t i;

	for (i = 0; i < ARRAY_LEN(verbs); i++) {
		if (!(verbs[i].flags & want) || (verbs[i].flags & skip))
			continue;
		snprintf(buf, sizeof buf, "%s%s%s", verbs[i].name,
		    *verbs[i].usage != '\0' ? " " : "", verbs[i].usage);
		if (strlen(buf) > 34) {
			verbs_help_usage(f, "  ", buf);
			fprintf(f, "  %-34s  %s\n", "", verbs[i].help);
		} else
			fprintf(f, "  %-34s  %s\n", buf, verbs[i].help);
	}
}

void
verbs_help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: " OUTPUT_PROG " [-s SOCKET] [-c FILE] [--json] [-q] "
	    "[--timeout SEC]\n                  COMMAND [ARGS]\n\n"
	    "Control the migrated schema migration daemon, or work on a "
	    "migrations\ndirectory offline. '" OUTPUT_PROG " help COMMAND' "
	    "or '" OUTPUT_PROG " COMMAND --help'\nshows the options of a "
	    "command.\n\n"
	    "Options (also accepted after COMMAND):\n"
	    "  -s, --socket PATH   daemon socket (default: $MIGRATED_SOCKET, "
	    "else\n"
	    "                      " CTL_DEFAULT_SOCKET ")\n"
	    "  -c, --config FILE   the daemon's settings file: its socket_path "
	    "and\n                      migrations_dir (below -s, --dir and "
	    "the environment)\n"
	    "  --json              print the daemon's JSON reply on stdout\n"
	    "  -q, --quiet         print nothing but errors\n"
	    "  --timeout SEC       limit connecting and waiting for an answer"
	    "\n                      (default: %d s to connect, %d s for "
	    "reads; 0: no limit;\n"
	    "                      never upgrade/downgrade/wait progress)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show the version\n\n"
	    "Daemon commands:\n", CTL_CONNECT_TIMEOUT_MS / 1000,
	    CTL_READ_TIMEOUT_MS / 1000);
	verbs_help_list(f, VERB_DAEMON, 0);
	fprintf(f, "\nOffline commands (directory: --dir, else "
	    "$MIGRATIONS_DIR, else migrations_dir\nof -c FILE, else "
	    CTL_DEFAULT_DIR "):\n");
	verbs_help_list(f, VERB_OFFLINE, VERB_DAEMON);
	fprintf(f, "\nHelp:\n");
	verbs_help_list(f, VERB_HELP, 0);
	fprintf(f, "\nTARGET: head, heads, base, a revision or a unique "
	    "prefix (4+ chars),\n+N, -N, REV+N, REV-N, head-N, LABEL@head.\n"
	    "\nExit codes:\n");
	for (i = 0; i < ARRAY_LEN(exit_help); i++)
		fprintf(f, "  %-3d %s\n", exit_help[i].code,
		    exit_help[i].meaning);
}

/* text wrapped to end by column 78; lines after the first indented. */
static void
verbs_help_wrap(FILE *f, int indent, const char *text)
{
	const char *p = text, *cut, *q;
	size_t width = 78 - (size_t)indent;

	while (strlen(p) > width) {
		cut = NULL;
		for (q = p; q <= p + width; q++)
			if (*q == ' ')
				cut = q;
		if (cut == NULL)
			break;
		fprintf(f, "%.*s\n%*s", (int)(cut - p), p, indent, "");
		p = cut + 1;
	}
	fprintf(f, "%s\n", p);
}

void
verbs_help_verb(FILE *f, const struct verb *v)
{
	const struct verb_opt_help *o;
	char *usage;

	usage = xasprintf("Usage: " OUTPUT_PROG " %s%s%s", v->name,
	    *v->usage != '\0' ? " " : "", v->usage);
	verbs_help_usage(f, "", usage);
	free(usage);
	fputc('\n', f);
	verbs_help_wrap(f, 0, v->about);
	if (v->opthelp[0].flag != NULL) {
		fprintf(f, "\nOptions:\n");
		for (o = v->opthelp; o->flag != NULL; o++) {
			if (strlen(o->flag) > 20)
				fprintf(f, "  %s\n%24s", o->flag, "");
			else
				fprintf(f, "  %-20s  ", o->flag);
			verbs_help_wrap(f, 24, o->help);
		}
	}
	if (v->flags & VERB_DAEMON)
		fprintf(f, "\nGlobal options (-s, --json, -q, --timeout) and "
		    "exit codes: " OUTPUT_PROG " --help.\n");
	else
		fprintf(f, "\nGlobal options and exit codes: " OUTPUT_PROG
		    " --help.\n");
}

/* The help command: the list, or one command's help. */
static enum ctl_exit
verbs_help_cmd(const struct ctl_args *a, int argc, char **argv)
{
	const struct verb *v;
	const char *near;

	if (argc == 0) {
		verbs_help(stdout);
		return CTL_OK;
	}
	if ((v = verbs_find(argv[0])) != NULL) {
		verbs_help_verb(stdout, v);
		return CTL_OK;
	}
	fprintf(stderr, OUTPUT_PROG ": help: unknown command '%s'\n",
	    argv[0]);
	if ((near = verbs_suggest(argv[0])) != NULL)
		fprintf(stderr, "Did you mean '%s'?\n", near);
	fprintf(stderr, "Try '" OUTPUT_PROG " help'.\n");
	return CTL_USAGE;
}
