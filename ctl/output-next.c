/* SPDX-License-Identifier: MIT */
/* output-next.c: status says what to do next, as git status does (pure). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "xmalloc.h"

#define P OUTPUT_PROG

/* Lines of the block: "next" on the first, blank labels after. */
struct next {
	FILE *f;
	int n;
};

static void next_line(struct next *nx, const char *fmt, ...)
    MIG_PRINTF(2, 3);

static void
next_line(struct next *nx, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	output_kv(nx->f, nx->n++ == 0 ? "next" : "", "%s", text);
	free(text);
}

static bool
next_is(const char *state, const char *name)
{
	return state != NULL && strcmp(state, name) == 0;
}

/* dirty: both resolve commands, spelled out. */
static void
next_dirty(struct next *nx, const json_t *dirty)
{
	const char *rev = output_jstr(dirty, "revision");

	if (rev == NULL)
		rev = "REV";
	next_line(nx, "if %s took effect, run: " P " resolve %s --applied",
	    rev, rev);
	next_line(nx, "if it did not, run: " P " resolve %s --rolled-back",
	    rev);
}

static void
next_drift(struct next *nx, const json_t *drift)
{
	const char *rev, *file;
	const json_t *d;
	size_t i;

	json_array_foreach(drift, i, d) {
		rev = output_jstr(d, "revision");
		file = output_jstr(d, "file");
		next_line(nx, "restore %s as it was when %s ran, or move the "
		    "change into a new revision", file != NULL ? file : "?",
		    rev != NULL ? rev : "?");
	}
	if (json_array_size(drift) > 0)
		next_line(nx, "(" P " verify lists drift; allow_drift = true "
		    "lets upgrades run anyway)");
}

/* Schema drift: objects changed outside migrations (SPEC §8). */
static void
next_schema_drift(struct next *nx, const json_t *sd)
{
	if (json_array_size(sd) == 0)
		return;
	next_line(nx, "undo the schema change made outside migrations, or "
	    "put it in the desired schema");
	next_line(nx, "and run: " P " revision --autogenerate -m MSG (" P
	    " verify --schema lists it)");
}

/* ahead: each version row without a file. */
static void
next_ahead(struct next *nx, const json_t *st)
{
	const char *dir = output_jstr(st, "migrations_dir");
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(st, "unknown_rows"), i, v)
		next_line(nx, "version %s has no file in %s: deploy the "
		    "migrations that include it", json_string_value(v),
		    dir != NULL ? dir : "the migrations directory");
	if (json_array_size(json_object_get(st, "unknown_rows")) == 0)
		next_line(nx, "a version row has no file: deploy the newer "
		    "migrations");
}

/* The last failed step, until a later step of it succeeds (item 2). */
static bool
next_last_error(struct next *nx, const json_t *st)
{
	const json_t *le = json_object_get(st, "last_error");
	const char *rev = output_jstr(le, "revision");
	const char *file = output_jstr(le, "file");
	const json_t *line = json_object_get(le, "line");

	if (!json_is_object(le) || rev == NULL)
		return false;
	if (file != NULL && json_is_integer(line))
		next_line(nx, "%s failed at %s:%lld: fix it, then run: " P
		    " upgrade", rev, file, (long long)json_integer_value(line));
	else
		next_line(nx, "%s failed: fix it, then run: " P " upgrade",
		    rev);
	return true;
}

/* behind: the first empty revision, else what will apply the rest. */
static void
next_behind(struct next *nx, const json_t *st)
{
	const json_t *pending = json_object_get(st, "pending");
	const json_t *p;
	const char *rev, *file;
	size_t i, n = json_array_size(pending);
	bool many = json_array_size(json_object_get(st, "heads")) > 1;

	json_array_foreach(pending, i, p) {
		if (!json_is_true(json_object_get(p, "empty")))
			continue;
		rev = output_jstr(p, "revision");
		file = output_jstr(p, "file");
		next_line(nx, "%s has an empty upgrade section: write it in %s "
		    "(auto-migrate stops before it)", rev != NULL ? rev : "?",
		    file != NULL ? file : "its file");
		break;
	}
	if (!json_is_true(json_object_get(st, "auto_migrate")) ||
	    !next_is(output_jstr(st, "role"), "leader"))
		next_line(nx, "run: " P " upgrade%s (%zu pending revision%s)",
		    many ? " heads" : "", n, n == 1 ? "" : "s");
	else if (i == n)
		next_line(nx, "auto-migrate applies %zu pending revision%s; or "
		    "run: " P " upgrade%s", n, n == 1 ? "" : "s",
		    many ? " heads" : "");
}

/*
 * The state's own advice; drift and errors come on top of it. failed: the
 * last failed step was named (then behind needs no more words).
 */
static void
next_state(struct next *nx, const json_t *st, const char *state,
    bool failed)
{
	if (next_is(state, "dirty"))
		next_dirty(nx, json_object_get(st, "dirty"));
	else if (next_is(state, "ahead"))
		next_ahead(nx, st);
	else if (next_is(state, "diverged"))
		next_line(nx, "the version rows overlap: check the schema, "
		    "then set them with: " P " stamp TARGET");
	else if (next_is(state, "behind") && json_is_object(
	    json_object_get(st, "running")))
		next_line(nx, "%s is being applied; " P " wait waits for it",
		    output_jstr(json_object_get(st, "running"), "revision"));
	else if (next_is(state, "behind") && !failed)
		next_behind(nx, st);
	else if (next_is(state, "current") &&
	    json_array_size(json_object_get(st, "drift")) == 0 &&
	    json_array_size(json_object_get(st, "schema_drift")) == 0)
		next_line(nx, "nothing to do: the database is at its heads");
}

void
output_next(FILE *f, const json_t *st)
{
	struct next nx = { f, 0 };
	const char *state = output_jstr(st, "state");
	const char *lock = output_jstr(st, "lock_error");
	bool failed;

	if (json_is_false(json_object_get(st, "connected"))) {
		next_line(&nx, "check database_url and the server; the daemon "
		    "reconnects by itself");
		return;
	}
	if (state == NULL || next_is(state, "unknown")) {
		next_line(&nx, "the database was not read yet; run: " P
		    " status --fresh");
		return;
	}
	if (lock != NULL)
		next_line(&nx, "this daemon cannot lead: %s", lock);
	failed = !next_is(state, "dirty") && next_last_error(&nx, st);
	next_state(&nx, st, state, failed);
	next_drift(&nx, json_object_get(st, "drift"));
	next_schema_drift(&nx, json_object_get(st, "schema_drift"));
}
