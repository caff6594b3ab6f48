/* SPDX-License-Identifier: MIT */
/* merr.c: SPEC error codes, structured errors and FILE:LINE diagnostics. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "merr.h"

/* Each code's SPEC §5 name and SPEC §6 exit code, for both programs. */
static const struct {
	const char *name;
	int exit;
} merr_codes[MERR__MAX] = {
	[MERR_NONE] = { "none", 0 },
	[MERR_BAD_REQUEST] = { "bad_request", 2 },
	[MERR_UNKNOWN_OP] = { "unknown_op", 2 },
	[MERR_UNAUTHORIZED] = { "unauthorized", 77 },
	[MERR_NOT_LEADER] = { "not_leader", 75 },
	[MERR_DB_UNAVAILABLE] = { "db_unavailable", 75 },
	[MERR_REVISION_NOT_FOUND] = { "revision_not_found", 2 },
	[MERR_AMBIGUOUS_REVISION] = { "ambiguous_revision", 2 },
	[MERR_MULTIPLE_HEADS] = { "multiple_heads", 2 },
	[MERR_IRREVERSIBLE] = { "irreversible", 1 },
	[MERR_MIGRATION_FAILED] = { "migration_failed", 1 },
	[MERR_DRIFT_DETECTED] = { "drift_detected", 1 },
	[MERR_DIRTY] = { "dirty", 1 },
	[MERR_TIMEOUT] = { "timeout", 75 },
	[MERR_CANCELLED] = { "cancelled", 1 },
	[MERR_SHUTTING_DOWN] = { "shutting_down", 75 },
	[MERR_BUSY] = { "busy", 75 },
	[MERR_INTERNAL] = { "internal", 1 },
	[MERR_LINT_REFUSED] = { "lint_refused", 1 },
};

const char *
merr_code_name(enum merr_code code)
{
	if ((int)code < 0 || code >= MERR__MAX)
		return "internal";
	return merr_codes[code].name;
}

enum merr_code
merr_code_from_name(const char *name)
{
	int i;

	for (i = 1; i < MERR__MAX; i++)
		if (strcmp(merr_codes[i].name, name) == 0)
			return (enum merr_code)i;
	return MERR_NONE;
}

int
merr_exit_code(enum merr_code code)
{
	if ((int)code < 0 || code >= MERR__MAX)
		return 1;
	return merr_codes[code].exit;
}

int
merr_set(struct merr *err, enum merr_code code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -EINVAL;
	merr_clear(err);
	err->code = code;
	va_start(ap, fmt);
	err->message = xvasprintf(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void
merr_clear(struct merr *err)
{
	if (err == NULL)
		return;
	free(err->message);
	free(err->revision);
	free(err->file);
	free(err->sqlstate);
	free(err->detail);
	free(err->hint);
	free(err->context);
	free(err->state);
	memset(err, 0, sizeof *err);
}

void
merr_move(struct merr *dst, struct merr *src)
{
	merr_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof *src);
}

static char *
merr_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
merr_copy(struct merr *dst, const struct merr *src)
{
	if (dst == src)
		return;
	merr_clear(dst);
	dst->code = src->code;
	dst->message = merr_dup(src->message);
	dst->revision = merr_dup(src->revision);
	dst->file = merr_dup(src->file);
	dst->line = src->line;
	dst->position = src->position;
	dst->sqlstate = merr_dup(src->sqlstate);
	dst->detail = merr_dup(src->detail);
	dst->hint = merr_dup(src->hint);
	dst->context = merr_dup(src->context);
	dst->state = merr_dup(src->state);
}

/* Labelled lines after the message, in the order they are written. */
static const char *const merr_labels[] = {
	"SQLSTATE: ", "DETAIL: ", "HINT: ", "CONTEXT: ",
	/* a non-transactional step's progress (daemon/runner-sql.c) */
	"STATEMENTS: ",
};

/* Where label i is kept, or NULL for one that is read past. */
static char **
merr_field(struct merr *err, size_t i)
{
	switch (i) {
	case 0:
		return &err->sqlstate;
	case 1:
		return &err->detail;
	case 2:
		return &err->hint;
	case 3:
		return &err->context;
	default:
		return NULL;
	}
}

char *
merr_located(const struct merr *err)
{
	const char *msg = err->message != NULL ? err->message : "";

	if (err->file != NULL && err->line > 0)
		return xasprintf("%s:%d: %s", err->file, err->line, msg);
	if (err->file != NULL)
		return xasprintf("%s: %s", err->file, msg);
	return xstrdup(msg);
}

char *
merr_history_text(const struct merr *err, const char *fallback_file)
{
	const char *file = err->file != NULL ? err->file : fallback_file;
	char *s, *t;
	const char *v;
	size_t i;

	if (file != NULL && err->line > 0)
		s = xasprintf("%s:%d: %s", file, err->line,
		    err->message != NULL ? err->message : "");
	else if (file != NULL)
		s = xasprintf("%s: %s", file, err->message != NULL ?
		    err->message : "");
	else
		s = xstrdup(err->message != NULL ? err->message : "");
	for (i = 0; i < ARRAY_LEN(merr_labels); i++) {
		if (merr_field((struct merr *)err, i) == NULL ||
		    (v = *merr_field((struct merr *)err, i)) == NULL)
			continue;
		t = xasprintf("%s\n%s%s", s, merr_labels[i], v);
		free(s);
		s = t;
	}
	return s;
}

/* Index of the field whose label starts line p, or -1. */
static int
merr_field_at(const char *p)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(merr_labels); i++)
		if (strncmp(p, merr_labels[i],
		    strlen(merr_labels[i])) == 0)
			return (int)i;
	return -1;
}

/* "FILE:LINE: " at the start of text: the length of FILE, or 0. */
static size_t
merr_file_prefix(const char *text, int *line)
{
	const char *p, *d;
	long v;

	for (p = text; *p != '\0' && *p != '\n'; p++) {
		if (p[0] != ':' || p == text || !isdigit((unsigned char)p[1]))
			continue;
		for (d = p + 1, v = 0; isdigit((unsigned char)*d) &&
		    v < 100000000; d++)
			v = v * 10 + (*d - '0');
		if (d[0] == ':' && d[1] == ' ') {
			*line = (int)v;
			return (size_t)(p - text);
		}
	}
	return 0;
}

void
merr_parse_history_text(const char *text, struct merr *err)
{
	const char *p, *msg, *end;
	size_t flen;
	int f, line = 0;

	merr_clear(err);
	if (text == NULL)
		return;
	msg = text;
	if ((flen = merr_file_prefix(text, &line)) > 0) {
		err->file = xstrndup(text, flen);
		err->line = line;
		msg = strchr(text + flen + 1, ' ') + 1;
	}
	/* the message runs to the first labelled line */
	for (end = msg; *end != '\0'; end++)
		if (end > msg && end[-1] == '\n' && merr_field_at(end) >= 0)
			break;
	err->message = xstrndup(msg, (size_t)(end - msg) -
	    (*end != '\0' ? 1 : 0));
	for (p = end; *p != '\0';) {
		f = merr_field_at(p);
		end = p + strcspn(p, "\n");
		while (*end == '\n' && end[1] != '\0' && merr_field_at(end +
		    1) < 0)
			end += 1 + strcspn(end + 1, "\n");
		if (f >= 0 && merr_field(err, (size_t)f) != NULL &&
		    *merr_field(err, (size_t)f) == NULL)
			*merr_field(err, (size_t)f) = xstrndup(p +
			    strlen(merr_labels[f]), (size_t)(end - p) -
			    strlen(merr_labels[f]));
		p = *end == '\n' ? end + 1 : end;
	}
}

void
mdiag_add(struct mdiag_list *l, const char *file, int line,
    const char *fmt, ...)
{
	struct mdiag *d;
	va_list ap;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	d = &l->v[l->n++];
	d->file = xstrdup(file != NULL ? file : "");
	d->line = line;
	d->seq = l->n - 1;
	va_start(ap, fmt);
	d->message = xvasprintf(fmt, ap);
	va_end(ap);
}

static int
mdiag_cmp(const void *a, const void *b)
{
	const struct mdiag *x = a, *y = b;
	int c;

	if ((c = strcmp(x->file, y->file)) != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void
mdiag_sort(struct mdiag_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof *l->v, mdiag_cmp);
}

char *
mdiag_format(const struct mdiag *d)
{
	if (d->line > 0)
		return xasprintf("%s:%d: %s", d->file, d->line, d->message);
	return xasprintf("%s: %s", d->file, d->message);
}

void
mdiag_clear(struct mdiag_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].file);
		free(l->v[i].message);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}
