/* SPDX-License-Identifier: MIT */
/* settings.h: daemon settings: defaults < file < environment < flags (SPEC §4). */
#ifndef MIGRATED_SETTINGS_H
#define MIGRATED_SETTINGS_H

#include <config.h>	/* autoconf's: SYSCONFDIR */

#include <stdbool.h>
#include <stdint.h>
#include "xmalloc.h"

#define SETTINGS_DEFAULT_FILE SYSCONFDIR "/migrated/migrated.conf"
#define EXIT_CONFIG 78		/* EX_CONFIG: a bad setting */
#define EXIT_DATAERR 65		/* EX_DATAERR: only a person can fix it */

enum ready_when { READY_SOCKET, READY_CURRENT };
enum txn_mode { TXN_PER_REVISION, TXN_ALL };
/* lint = off | warn | refuse (SPEC §9) */
enum lint_mode { LINT_MODE_OFF, LINT_MODE_WARN, LINT_MODE_REFUSE };
/* auto: the journal when stderr is the journal, else text */
enum log_output { LOG_OUT_AUTO, LOG_OUT_TEXT, LOG_OUT_JSON, LOG_OUT_JOURNALD };

/* Where a value came from, for error messages. */
enum settings_source { SETTINGS_SRC_DEFAULT, SETTINGS_SRC_FILE, SETTINGS_SRC_ENV, SETTINGS_SRC_FLAG };

/* Per table row: the value in force as text, and where it came from. */
struct settings_value;

struct settings {
	/* settings of the table (SPEC §4) */
	char *database_url;		/* NULL: libpq defaults and PG* */
	char *migrations_dir;
	char *socket_path;
	unsigned int socket_mode;
	char *socket_group;		/* NULL: the daemon's group */
	char *admin_group;		/* NULL: none */
	bool auto_migrate;
	enum ready_when ready_when;
	char *version_table;
	char *version_table_schema;
	char *history_table;
	char *lock_key;			/* NULL: derived */
	char *lock_timeout;		/* GUC duration text, validated */
	char *statement_timeout;
	int lock_retries;
	enum txn_mode transaction_mode;
	bool allow_drift;
	bool watch;			/* reload as files change (inotify) */
	enum lint_mode lint;
	int standby_poll_interval_ms;
	int refresh_interval_ms;
	int reconnect_max_interval_ms;
	int shutdown_timeout_ms;
	int max_clients;
	int log_level;			/* enum log_level */
	enum log_output log_format;
	char *http_listen;		/* NULL: no HTTP listener */
	char *schema_path;		/* migratectl's desired schema */
	int schema_check_interval_ms;	/* schema drift check; 0: off */

	/* command line only */
	char *config_file;		/* -c, or SETTINGS_DEFAULT_FILE */
	bool config_file_given;		/* -c given: a missing file is an error */
	bool once;			/* --once [TARGET] */
	char *once_target;		/* default "heads" */
	char **once_argv;		/* --once COMMAND ARGS (borrowed argv) */
	int once_argc;
	int lock_wait_ms;		/* --lock-wait, default 60s */

	/* one per row of the settings table, owned; see settings_source() */
	struct settings_value *values;
};

/*
 * Fill cfg from defaults, the config file, the environment and argv, in
 * that order (later wins). Every bad value is printed to stderr as
 * "migrated: KEY = 'VALUE' (SOURCE): problem" — all of them, not just the
 * first. Returns 0 to run, or >= 0 via *exit_code when the process should
 * exit now (-h, -V: 0; usage errors: 2; bad values: 78), in which case the
 * return value is -EINVAL (or 1 for -h/-V). Caller frees with settings_free().
 */
int settings_load(struct settings *cfg, int argc, char **argv, int *exit_code)
    MIG_MUSTCHECK;
void settings_free(struct settings *cfg);

/*
 * Parse a GUC-style duration ("250ms", "5s", "1min", "2h", "1d", "0";
 * a bare number is milliseconds) into milliseconds. -EINVAL if malformed,
 * -ERANGE if over INT_MAX ms.
 */
int settings_parse_duration_ms(const char *s, int *ms) MIG_MUSTCHECK;
/* Parse true/false/1/0/yes/no/on/off (case-insensitive). -EINVAL if not. */
int settings_parse_bool(const char *s, bool *out) MIG_MUSTCHECK;

/*
 * A copy of a connection string or URL with any password replaced by
 * "********" (both key=value and postgresql://user:pass@ forms);
 * caller frees. NULL gives "(default)".
 */
char *settings_redact(const char *conninfo);

/*
 * name as an SQL identifier: in double quotes, inner quotes doubled (what
 * PQescapeIdentifier does, without a connection); caller frees.
 */
char *settings_quote_ident(const char *name);

/* Print the --help text to f. */
void settings_usage(void *f);

/*
 * Where key's value in force came from: "default", "FILE:LINE",
 * "environment VAR" or "flag -X"; borrowed from cfg. NULL for an unknown
 * key or before settings_load().
 */
const char *settings_source(const struct settings *cfg, const char *key);

/* Log every setting, its value (secrets redacted) and source at debug. */
void settings_log(const struct settings *cfg);

#endif
