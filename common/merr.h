/* SPDX-License-Identifier: MIT */
/* merr.h: SPEC error codes, structured errors and FILE:LINE diagnostics. */
#ifndef MIGRATED_MERR_H
#define MIGRATED_MERR_H

#include <stdbool.h>
#include <stddef.h>
#include "xmalloc.h"

/* The error codes of SPEC §5, in that order. */
enum merr_code {
	MERR_NONE = 0,
	MERR_BAD_REQUEST,
	MERR_UNKNOWN_OP,
	MERR_UNAUTHORIZED,
	MERR_NOT_LEADER,
	MERR_DB_UNAVAILABLE,
	MERR_REVISION_NOT_FOUND,
	MERR_AMBIGUOUS_REVISION,
	MERR_MULTIPLE_HEADS,
	MERR_IRREVERSIBLE,
	MERR_MIGRATION_FAILED,
	MERR_DRIFT_DETECTED,
	MERR_DIRTY,
	MERR_TIMEOUT,
	MERR_CANCELLED,
	MERR_SHUTTING_DOWN,
	MERR_BUSY,
	MERR_INTERNAL,
	MERR_LINT_REFUSED,	/* SPEC §9: an error-level lint finding */
	MERR__MAX
};

/*
 * A domain failure. Every string is owned by the struct and released by
 * merr_clear(); unset fields are NULL (line/position 0).
 */
struct merr {
	enum merr_code code;
	char *message;
	char *revision;
	char *file;
	int line;
	int position;		/* character position within the statement */
	char *sqlstate;
	char *detail;
	char *hint;
	char *context;
	char *state;		/* the database state that caused it */
};

/* SPEC string for code ("bad_request", ...); "internal" for bad values. */
const char *merr_code_name(enum merr_code code);
/* Inverse of merr_code_name; MERR_NONE if unknown. */
enum merr_code merr_code_from_name(const char *name);
/* The exit code of SPEC §6 for code: 0 for MERR_NONE, 1 for bad values. */
int merr_exit_code(enum merr_code code);
/*
 * Set err (clearing what it held) to code and a formatted message.
 * Returns -EINVAL, so `return merr_set(err, ...);` reads naturally.
 * err may be NULL.
 */
int merr_set(struct merr *err, enum merr_code code, const char *fmt, ...)
    MIG_PRINTF(3, 4);
void merr_clear(struct merr *err);
/* Move src into dst (dst cleared first, src left empty). */
void merr_move(struct merr *dst, struct merr *src);
/* Copy every field of src into dst (dst cleared first). */
void merr_copy(struct merr *dst, const struct merr *src);

/*
 * "FILE:LINE: message", "FILE: message" (no line) or "message" (no file):
 * never a line 0. Caller frees.
 */
char *merr_located(const struct merr *err);
/*
 * The text of a failed step as the history table keeps it: "FILE:LINE:
 * message" (file, else fallback_file; no prefix without either), then a
 * line each for SQLSTATE:, DETAIL:, HINT: and CONTEXT: when set. Caller
 * frees.
 */
char *merr_history_text(const struct merr *err, const char *fallback_file);
/*
 * Read such a text back into err (cleared first): file, line, message,
 * sqlstate, detail, hint, context; a text in no known shape is all
 * message. A STATEMENTS: line (a non-transactional step's progress) ends
 * the field before it and is not kept. Never fails.
 */
void merr_parse_history_text(const char *text, struct merr *err);

/* One load-time diagnostic: "FILE:LINE: message". */
struct mdiag {
	char *file;
	int line;		/* 0 when the problem has no line */
	char *message;
	size_t seq;		/* insertion order, for a stable sort */
};

struct mdiag_list {
	struct mdiag *v;
	size_t n, cap;
};

void mdiag_add(struct mdiag_list *l, const char *file, int line,
    const char *fmt, ...) MIG_PRINTF(4, 5);
/* Sort by file then line (stable for equal keys). */
void mdiag_sort(struct mdiag_list *l);
/* "FILE:LINE: message" (or "FILE: message"); caller frees. */
char *mdiag_format(const struct mdiag *d);
void mdiag_clear(struct mdiag_list *l);

#endif
