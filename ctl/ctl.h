/* SPDX-License-Identifier: MIT */
/* ctl.h: migratectl exit codes, parsed arguments and verb handlers. */
#ifndef MIGRATED_CTL_H
#define MIGRATED_CTL_H

#include <stdbool.h>
#include <jansson.h>

#include "xmalloc.h"

struct migset;
struct revgraph;
struct mdiag_list;

/* Exit codes of SPEC §6; handlers return them, only main() exits. */
enum ctl_exit {
	CTL_OK = 0,
	CTL_FAILED = 1,
	CTL_USAGE = 2,
	CTL_PENDING = 3,
	CTL_NEEDS_PERSON = 4,
	CTL_UNREACHABLE = 69,
	CTL_TEMPFAIL = 75,
	CTL_NOPERM = 77,
};

#define CTL_DEFAULT_SOCKET "/run/migrated/migrated.sock"
#define CTL_DEFAULT_DIR "./migrations/versions"
/* Without --timeout: bound on connecting, and on a read's answer. */
#define CTL_CONNECT_TIMEOUT_MS 5000
#define CTL_READ_TIMEOUT_MS 10000

#define CTL_MAX_RENAMES 64

/* Everything the command line says; filled by main() before a verb runs. */
struct ctl_args {
	/* Global options. */
	const char *socket;
	const char *config;	/* -c: the daemon's settings file */
	char *conf_socket;	/* its socket_path, owned */
	char *conf_dir;		/* its migrations_dir, owned */
	char *conf_vt;		/* its version_table, owned (lint --db) */
	char *conf_vt_schema;	/* its version_table_schema, owned */
	char *conf_schema;	/* its schema_path, owned */
	char *conf_url;		/* its database_url, owned */
	bool conf_bad;		/* it has a malformed line */
	bool json;
	bool quiet;
	int timeout_ms;		/* --timeout; -1: no limit */
	bool timeout_given;	/* else the defaults above apply */
	bool tty;		/* stdout is a terminal */
	bool color;		/* tty and NO_COLOR unset */

	/* Per-command options (each verb accepts its own subset). */
	bool check, fresh, verbose, sql, atomic;
	bool applied, rolled_back, no_transaction;
	long long limit;	/* log -n; -1: daemon default */
	long long wait_ms;	/* wait --timeout; -1: no limit */
	const char *dir;	/* --dir; NULL: not given */
	const char *message;	/* -m */
	const char *head;	/* revision --head */
	const char *depends_on;	/* revision --depends-on, comma list */
	const char *branch_label;
	const char *requires;	/* check --requires REV */
	const char *db;		/* lint --db URL */
	const char *format;	/* lint --format */
	const char *fail_on;	/* lint --fail-on */
	const char *pg_version;	/* lint --pg-version */
	bool rules;		/* lint --rules */
	/* revision --autogenerate and diff (ctl/autogen.c) */
	bool autogenerate, allow_drop, grants, no_prove;
	bool schema_check;	/* verify --schema */
	const char *schema;	/* --schema PATH */
	const char *dev_url;	/* --dev-url URL */
	const char *renames[CTL_MAX_RENAMES];	/* --rename KIND:OLD=NEW */
	size_t nrenames;
};

typedef enum ctl_exit (*ctl_verb_fn)(const struct ctl_args *a, int argc,
    char **argv);

/*
 * Directory of the offline commands: --dir, MIGRATIONS_DIR, migrations_dir
 * of -c FILE, or the default.
 */
const char *ctl_migrations_dir(const struct ctl_args *a);

/* migratectl.c: the whole command line; returns the exit code. */
int ctl_main(int argc, char **argv);
/*
 * migrated --once COMMAND ARGS: check argv (argv[0] is a program name) as
 * ctl_main() would, printing usage errors and --help. Returns -1 when it
 * can run (*change: it needs the lock), else the exit code.
 */
int ctl_once_check(int argc, char **argv, bool *change);

/* ctl-read.c */
enum ctl_exit ctl_status(const struct ctl_args *, int, char **);
enum ctl_exit ctl_current(const struct ctl_args *, int, char **);
enum ctl_exit ctl_heads(const struct ctl_args *, int, char **);
enum ctl_exit ctl_history(const struct ctl_args *, int, char **);
enum ctl_exit ctl_log(const struct ctl_args *, int, char **);
enum ctl_exit ctl_verify(const struct ctl_args *, int, char **);
enum ctl_exit ctl_check(const struct ctl_args *, int, char **);
enum ctl_exit ctl_wait(const struct ctl_args *, int, char **);

/* ctl-change.c */
enum ctl_exit ctl_upgrade(const struct ctl_args *, int, char **);
enum ctl_exit ctl_downgrade(const struct ctl_args *, int, char **);
enum ctl_exit ctl_stamp(const struct ctl_args *, int, char **);
enum ctl_exit ctl_reload(const struct ctl_args *, int, char **);
enum ctl_exit ctl_cancel(const struct ctl_args *, int, char **);
enum ctl_exit ctl_resolve(const struct ctl_args *, int, char **);

/* ctl-offline.c */
enum ctl_exit ctl_history_offline(const struct ctl_args *, int, char **);
/* Report load errors (stderr; JSON with --json): CTL_FAILED. */
enum ctl_exit ctl_offline_failed(const struct ctl_args *a,
    struct mdiag_list *diags);
/*
 * Load dir and build its graph: 0 with *set and *g (free both with
 * ctl_offline_free()), or a negative errno with every problem in diags.
 */
int ctl_offline_load(const char *dir, struct migset **set,
    struct revgraph **g, struct mdiag_list *diags) MIG_MUSTCHECK;
void ctl_offline_free(struct migset *set, struct revgraph *g);
/* Sort diags, print them on stderr if print; the JSON list of them. */
json_t *ctl_offline_diags(struct mdiag_list *diags, bool print);

/*
 * Commands that need libpq or libpg_query are compiled only into
 * migratectl-full (built with CTL_FULL): loading those libraries costs
 * more than the whole start-up of migratectl (issue 13: status <= 2x
 * /bin/true), so migratectl runs migratectl-full for them, with the same
 * command line. Name such a handler, in the verb table or in a call,
 * through CTL_HEAVY(fn), and add its files to ctl_migratectl_full_SOURCES.
 */
#ifdef CTL_FULL
#define CTL_HEAVY(fn) fn
#else
#define CTL_HEAVY(fn) ctl_full_exec
#endif

/* ctl-full.c */
/* Remember the command line as given (before getopt reorders it). */
void ctl_full_init(int argc, char **argv);
/* Execute migratectl-full with it; returns only on failure. */
enum ctl_exit ctl_full_exec(const struct ctl_args *, int, char **);

/*
 * Revisions whose upgrade section is still empty, which auto-migrate does
 * not apply: FILE:LINE: warning: ... on stderr if print; the JSON list.
 */
json_t *ctl_lint_warnings(const struct revgraph *g, bool print);

/* ctl-lint.c, ctl-lintdb.c */
enum ctl_exit ctl_lint(const struct ctl_args *, int, char **);
struct lint_facts;
struct lint_trees;
/*
 * lint --db: read the version rows (-c's version_table and
 * version_table_schema, else alembic_version on the search_path) and the
 * catalog facts for the pending revisions of g; pending[i] is set per
 * revision; the pending statements' parse trees go to trees, for the
 * lint. 0, or a negative errno with *why (caller frees).
 */
int ctl_lintdb_facts(const struct ctl_args *a, const struct revgraph *g,
    bool *pending, struct lint_trees *trees, struct lint_facts **facts,
    void **conn, char **why) MIG_MUSTCHECK;
/* lint_opts.estimate on the connection of ctl_lintdb_facts() (*conn). */
long long ctl_lintdb_estimate(void *conn, const char *sql);
void ctl_lintdb_close(void *conn);
/* autogen.c (migratectl-full) */
enum ctl_exit ctl_diff(const struct ctl_args *, int, char **);
enum ctl_exit ctl_autogenerate(const struct ctl_args *, int, char **);

/* ctl-revision.c */
enum ctl_exit ctl_revision(const struct ctl_args *, int, char **);
enum ctl_exit ctl_merge(const struct ctl_args *, int, char **);
/* A random 12-hex revision id: 0, or a negative errno. */
int ctl_random_id(char id[13]) MIG_MUSTCHECK;
/*
 * Write text as dir/name atomically, never replacing a file: 0, -EEXIST
 * when the name is taken, or another negative errno.
 */
int ctl_write_new(const char *dir, const char *name, const char *text,
    size_t len) MIG_MUSTCHECK;

#endif
