/* SPDX-License-Identifier: MIT */
/* output-log.c: migratectl log: the history table, and log -v (pure). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "xmalloc.h"

#define LOG_COLS 7
#define LOG_ERR 6		/* the error column, last */
#define LOG_CELL 64		/* bytes of the other cells */
#define LOG_MORE "..."

/* The cells of one log row (or of the header when row is NULL). */
static void
output_log_cells(const json_t *row, char cells[LOG_COLS - 1][LOG_CELL],
    const char **error)
{
	static const char *const head[LOG_COLS] = { "TIME", "OP",
	    "REVISION", "OUTCOME", "DURATION", "USER", "ERROR" };
	static const char *const keys[] = { "operation", "revision",
	    "outcome" };
	const json_t *ms = json_object_get(row, "duration_ms");
	const char *s;
	int i;

	if (row == NULL) {
		for (i = 0; i < LOG_ERR; i++)
			snprintf(cells[i], LOG_CELL, "%s", head[i]);
		*error = head[LOG_ERR];
		return;
	}
	output_time(cells[0], LOG_CELL, output_jstr(row, "started_at"));
	for (i = 0; i < 3; i++) {
		s = output_jstr(row, keys[i]);
		snprintf(cells[i + 1], LOG_CELL, "%s", s != NULL ? s : "-");
	}
	output_duration(cells[4], LOG_CELL, json_is_integer(ms) ?
	    (long long)json_integer_value(ms) : -1);
	s = output_jstr(row, "requested_by");
	snprintf(cells[5], LOG_CELL, "%s", s != NULL ? s : "-");
	s = output_jstr(row, "error");
	*error = s != NULL ? s : "";
}

/*
 * One table row, columns padded, without trailing blanks. The error is
 * its first line; with width > 0 the row is cut there, marked "...".
 * Returns where the error's next line starts, or NULL.
 */
static const char *
output_log_row(FILE *f, char cells[LOG_COLS - 1][LOG_CELL], const char *err,
    const int *w, int width)
{
	size_t len = 0, elen = strcspn(err, "\n"), room, keep;
	char line[LOG_ERR * (LOG_CELL + 2) + 1];
	bool cut = false;
	int i;

	for (i = 0; i < LOG_ERR; i++)
		len += (size_t)snprintf(line + len, sizeof line - len,
		    "%s%-*s", i > 0 ? "  " : "", w[i], cells[i]);
	if (width > 0) {
		room = (size_t)width > len + 2 ? (size_t)width - len - 2 : 0;
		if (err[elen] != '\0' || elen > room) {
			cut = true;
			keep = room > strlen(LOG_MORE) ?
			    room - strlen(LOG_MORE) : 0;
			if (elen > keep)
				elen = keep;
			/* not inside a UTF-8 sequence */
			while (elen > 0 && (err[elen] & 0xc0) == 0x80)
				elen--;
		}
	}
	if (elen == 0 && !cut) {
		while (len > 0 && line[len - 1] == ' ')
			len--;
		fprintf(f, "%.*s\n", (int)len, line);
	} else
		fprintf(f, "%.*s  %.*s%s\n", (int)len, line, (int)elen, err,
		    cut ? LOG_MORE : "");
	if (width > 0 || err[strcspn(err, "\n")] == '\0')
		return NULL;
	return err + strcspn(err, "\n") + 1;
}

/* The lines of an error after its first, indented under the table. */
static void
output_log_rest(FILE *f, const char *rest)
{
	size_t n;

	while (rest != NULL && *rest != '\0') {
		n = strcspn(rest, "\n");
		fprintf(f, "    %.*s\n", (int)n, rest);
		rest = rest[n] == '\n' ? rest + n + 1 : NULL;
	}
}

void
output_log(FILE *f, const json_t *result, int width)
{
	const json_t *rows = json_object_get(result, "rows");
	char cells[LOG_COLS - 1][LOG_CELL];
	int w[LOG_COLS - 1] = { 0 }, i;
	size_t r, n = json_array_size(rows);
	const char *err, *rest;

	if (n == 0) {
		fprintf(f, "no operations recorded\n");
		return;
	}
	for (r = 0; r <= n; r++) {
		output_log_cells(r == 0 ? NULL : json_array_get(rows, r - 1),
		    cells, &err);
		for (i = 0; i < LOG_ERR; i++)
			if ((int)strlen(cells[i]) > w[i])
				w[i] = (int)strlen(cells[i]);
	}
	for (r = 0; r <= n; r++) {
		output_log_cells(r == 0 ? NULL : json_array_get(rows, r - 1),
		    cells, &err);
		rest = output_log_row(f, cells, err, w, width);
		output_log_rest(f, rest);
	}
}

/* Columns of log -v in this order; any others follow, sorted. */
static const char *const log_keys[] = { "id", "revision", "operation",
    "outcome", "message", "started_at", "finished_at", "duration_ms",
    "requested_by", "host", "pid", "instance", "transactional", "checksum",
    "error" };

static bool
output_log_known(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(log_keys); i++)
		if (strcmp(log_keys[i], key) == 0)
			return true;
	return false;
}

/* "key:" padded, then the value; later lines of a string indented. */
static void
output_log_field(FILE *f, const char *key, const json_t *v)
{
	const char *s, *p;
	char *text;
	size_t n;

	if (v == NULL)
		return;
	fprintf(f, "  %-14s", key);
	if (json_is_null(v)) {
		fprintf(f, "-\n");
		return;
	}
	if (!json_is_string(v)) {
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fprintf(f, "%s\n", text != NULL ? text : "?");
		free(text);
		return;
	}
	s = json_string_value(v);
	for (p = s;; p += n + 1) {
		n = strcspn(p, "\n");
		fprintf(f, "%s%.*s\n", p == s ? "" : "                ",
		    (int)n, p);
		if (p[n] == '\0')
			break;
	}
}

static int
output_log_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
output_log_block(FILE *f, const json_t *row)
{
	const char **extra, *key;
	const json_t *v;
	size_t i, n = 0;

	for (i = 0; i < ARRAY_LEN(log_keys); i++)
		output_log_field(f, log_keys[i], json_object_get(row,
		    log_keys[i]));
	extra = xcalloc(json_object_size(row) + 1, sizeof *extra);
	json_object_foreach((json_t *)row, key, v)
		if (!output_log_known(key))
			extra[n++] = key;
	qsort(extra, n, sizeof *extra, output_log_cmp);
	for (i = 0; i < n; i++)
		output_log_field(f, extra[i], json_object_get(row, extra[i]));
	free(extra);
}

void
output_log_verbose(FILE *f, const json_t *result)
{
	const json_t *rows = json_object_get(result, "rows");
	const json_t *row;
	size_t i;

	if (json_array_size(rows) == 0) {
		fprintf(f, "no operations recorded\n");
		return;
	}
	json_array_foreach(rows, i, row) {
		if (i > 0)
			fputc('\n', f);
		output_log_block(f, row);
	}
}
