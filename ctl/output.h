/* SPDX-License-Identifier: MIT */
/* output.h: migratectl's human output and exit-code mapping (pure). */
#ifndef MIGRATED_OUTPUT_H
#define MIGRATED_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "ctl.h"

#define OUTPUT_PROG "migratectl"
#define OUTPUT_SLUG_MAX 40

/* Progress marks of upgrade/downgrade step lines. */
enum output_mark {
	OUTPUT_MARK_RUNNING,
	OUTPUT_MARK_OK,
	OUTPUT_MARK_FAILED,
};

/* String member key of o, or NULL (borrowed). */
const char *output_jstr(const json_t *o, const char *key);

/* Exit code of SPEC §6 for a daemon error code (1 when unknown). */
enum ctl_exit output_exit_for_code(const char *code);
/* Exit code of status --check / check for a status or check result. */
enum ctl_exit output_state_exit(const json_t *result);
/* Exit code of a failed wait, from its error object. */
enum ctl_exit output_wait_exit(const json_t *error);

/*
 * File-name slug of a message: lowercase [a-z0-9] runs joined by '_',
 * at most max bytes, cut between runs where possible; caller frees.
 */
char *output_slug(const char *message, size_t max);
/* "12 ms", "1.2 s", "2 min 5 s" into buf. */
void output_duration(char *buf, size_t size, long long ms);
/* An ISO-8601 time as "YYYY-MM-DD HH:MM:SS" into buf ("-" if NULL). */
void output_time(char *buf, size_t size, const char *iso);
/* Strings of a JSON array joined by ", ", or empty if there are none. */
char *output_revlist(const json_t *list, const char *empty);

/* One Alembic history line of a history revision object; caller frees. */
char *output_history_line(const json_t *rev);
/* Alembic's verbose block for rev; all is the whole revision list. */
void output_history_verbose(FILE *f, const json_t *rev, const json_t *all);
/* A history result, newest first. */
void output_history(FILE *f, const json_t *result, bool verbose);

/* One status block line: label padded to the column, then the text. */
void output_kv(FILE *f, const char *label, const char *fmt, ...)
    MIG_PRINTF(3, 4);
/*
 * "next" lines of the status block: what to do about the state, one line
 * per thing, with the command spelled out (output-next.c).
 */
void output_next(FILE *f, const json_t *status);

/* The status block of a status result. */
void output_status(FILE *f, const json_t *result, bool color);
/* The block of a check result. */
void output_check(FILE *f, const json_t *result, bool color);
/* `current`: "<rev> (head)" per version row of a status result. */
void output_current(FILE *f, const json_t *status);
/* `heads`: "<rev> (head)" per head, " (current)" when applied. */
void output_heads(FILE *f, const json_t *status);
/* Drift rows, one per line, labelled like the status block. */
void output_drift(FILE *f, const json_t *drift);
/*
 * The log result as a table. width: the terminal's columns, each row cut
 * to fit (first line of its error); 0 (not a terminal): nothing cut, an
 * error's further lines follow its row, indented.
 */
void output_log(FILE *f, const json_t *result, int width);
/* log -v: every column of every row, a block each. */
void output_log_verbose(FILE *f, const json_t *result);

/* An error object as "migratectl: message (code)" plus detail lines. */
void output_error(FILE *f, const json_t *error);

/* One step line: mark, revision, message, duration (ms < 0: none). */
void output_step(FILE *f, enum output_mark mark, const char *rev, int revw,
    const char *msg, int msgw, long long ms, bool color);
/*
 * Summary of an upgrade/downgrade result: "upgraded A -> B in N steps,
 * T" or "already at TARGET"; caller frees.
 */
char *output_summary(const char *verb, const json_t *result,
    const char *target);

#endif
