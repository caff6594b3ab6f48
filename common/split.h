/* SPDX-License-Identifier: MIT */
/* split.h: SQL statement splitter and error-position mapping. */
#ifndef MIGRATED_SPLIT_H
#define MIGRATED_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include "merr.h"

/* One statement of a section, as it will be sent to the server. */
struct split_stmt {
	char *sql;		/* NUL-terminated, trimmed, without the final ';' */
	size_t len;
	int line;		/* file line of the statement's first character */
	int col;		/* its column: 1 + UTF-8 characters before it */
};

/* At most this many diagnostics per split_sql() call (then one summary). */
#define SPLIT_MAX_DIAGS 100

struct split_list {
	struct split_stmt *v;
	size_t n, cap;
};

/*
 * Split text (a section body whose first byte is on file line first_line)
 * into statements, respecting '' quotes, E'' escapes, "identifiers",
 * $tag$ dollar quotes, -- and nested block comments and BEGIN ATOMIC ... END
 * bodies. Comment-only or empty pieces are dropped. Forbidden statements
 * (psql backslash commands anywhere outside quotes and comments, COPY ...
 * FROM STDIN, BEGIN/START TRANSACTION/COMMIT/END/ROLLBACK/SAVEPOINT/
 * RELEASE/PREPARE TRANSACTION, DISCARD ALL,
 * pg_advisory_unlock*) and unterminated quotes/comments are reported to
 * diags as file:line. Returns 0, or -EINVAL when diagnostics were added
 * (out is filled either way and freed with split_list_clear()).
 */
int split_sql(const char *file, const char *text, size_t len, int first_line,
    struct split_list *out, struct mdiag_list *diags) MIG_MUSTCHECK;
/*
 * The same, the statements and their array allocated in a (NULL: malloc):
 * freed with the arena, never with split_list_clear(). Either way each
 * statement is a copy: text may be freed or reused once this returns
 * (the loader reads every file into the same buffer).
 */
struct arena;
int split_sql_in(struct arena *a, const char *file, const char *text,
    size_t len, int first_line, struct split_list *out,
    struct mdiag_list *diags) MIG_MUSTCHECK;
void split_list_clear(struct split_list *l);

/*
 * Map a PostgreSQL error position (1-based, in characters of the UTF-8
 * statement text) to a file line, given the statement's first line.
 * Position 0 (unknown) returns first_line.
 */
int split_pos_to_line(const char *sql, size_t len, int first_line, int pos);

#endif
