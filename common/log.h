/* SPDX-License-Identifier: MIT */
/* log.h: leveled logging with a pluggable sink (stderr or journald). */
#ifndef MIGRATED_LOG_H
#define MIGRATED_LOG_H

#include <stdbool.h>
#include "xmalloc.h"

enum log_level {
	LOG_LVL_ERROR = 3,	/* syslog priorities */
	LOG_LVL_WARN = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

/* One structured record; fields that are unknown are NULL / -1. */
struct log_record {
	enum log_level level;
	const char *message;
	const char *op;		/* MIGRATED_OP */
	const char *revision;	/* MIGRATED_REVISION */
	long long duration_ms;	/* MIGRATED_DURATION_MS, -1 if unknown */
	const char *sqlstate;	/* SQLSTATE */
};

typedef void (*log_sink_fn)(const struct log_record *rec, void *arg);

/* How the stderr writer formats a record. */
enum log_format {
	LOG_FORMAT_TEXT,	/* "ISO-8601 prog[pid] level: text" */
	LOG_FORMAT_JSON,	/* one JSON object per line */
};

void log_init(const char *progname, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);
/* Route records to sink (NULL restores the plain stderr writer). */
void log_set_sink(log_sink_fn sink, void *arg);
/* Parse "error", "warn", "info", "debug"; returns -EINVAL if unknown. */
int log_level_parse(const char *s, enum log_level *out) MIG_MUSTCHECK;
const char *log_level_name(enum log_level level);
/* Format rec as one plain line (ISO-8601 time, level, text) into buf. */
void log_format_line(const struct log_record *rec, char *buf, size_t size);
/* The format of the stderr writer (used when no sink is set). */
void log_set_format(enum log_format format);
/*
 * Format rec as one JSON object and a newline into buf (size >= 256):
 * ts, level, prog, pid, msg and, when known, op, revision, duration_ms,
 * sqlstate. Control characters are escaped and invalid UTF-8 becomes
 * U+FFFD, so the line is always valid JSON; a message too long for buf is
 * cut at a character boundary and marked. Returns the length.
 */
size_t log_format_json(const struct log_record *rec, char *buf, size_t size);

void log_emit(const struct log_record *rec);
void log_msg(enum log_level level, const char *fmt, ...) MIG_PRINTF(2, 3);
/* Log with strerror(-r) appended; returns r. */
int log_errno(enum log_level level, int r, const char *fmt, ...)
    MIG_PRINTF(3, 4);
/* Log with MIGRATED_OP / MIGRATED_REVISION fields. */
void log_op(enum log_level level, const char *op, const char *rev,
    long long duration_ms, const char *sqlstate, const char *fmt, ...)
    MIG_PRINTF(6, 7);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) do { \
	if (log_enabled(LOG_LVL_DEBUG)) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); \
} while (0)

#endif
