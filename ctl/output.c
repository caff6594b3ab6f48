/* SPDX-License-Identifier: MIT */
/* output.c: migratectl's human output and exit-code mapping (pure). */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "merr.h"
#include "output.h"
#include "xmalloc.h"

#define OUTPUT_LABEL_W 10

#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_RED "\033[31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"

/* Codes only the client reports; the daemon's map through merr.c. */
static const struct {
	const char *code;
	enum ctl_exit exit;
} output_exits[] = {
	{ "unreachable", CTL_UNREACHABLE },
	{ "connection_lost", CTL_TEMPFAIL },
};

const char *
output_jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *
output_sgr(bool color, const char *sgr)
{
	return color ? sgr : "";
}

enum ctl_exit
output_exit_for_code(const char *code)
{
	enum merr_code c;
	size_t i;

	if (code == NULL)
		return CTL_FAILED;
	for (i = 0; i < ARRAY_LEN(output_exits); i++)
		if (strcmp(output_exits[i].code, code) == 0)
			return output_exits[i].exit;
	if ((c = merr_code_from_name(code)) == MERR_NONE)
		return CTL_FAILED;	/* a code newer than this client */
	return (enum ctl_exit)merr_exit_code(c);
}

enum ctl_exit
output_state_exit(const json_t *result)
{
	const json_t *connected = json_object_get(result, "connected");
	const char *state = output_jstr(result, "state");

	if (json_is_false(connected) || state == NULL ||
	    strcmp(state, "unknown") == 0)
		return CTL_TEMPFAIL;
	if (strcmp(state, "dirty") == 0 || strcmp(state, "ahead") == 0 ||
	    strcmp(state, "diverged") == 0)
		return CTL_NEEDS_PERSON;
	if (json_array_size(json_object_get(result, "drift")) > 0)
		return CTL_NEEDS_PERSON;
	if (strcmp(state, "behind") == 0)
		return CTL_PENDING;
	if (strcmp(state, "current") == 0)
		return CTL_OK;
	return CTL_TEMPFAIL;
}

enum ctl_exit
output_wait_exit(const json_t *error)
{
	const char *code = output_jstr(error, "code");

	if (code != NULL && strcmp(code, "timeout") == 0)
		return CTL_TEMPFAIL;
	if (json_object_get(error, "state") != NULL)
		return CTL_NEEDS_PERSON;
	if (code != NULL && (strcmp(code, "dirty") == 0 ||
	    strcmp(code, "drift_detected") == 0))
		return CTL_NEEDS_PERSON;
	return output_exit_for_code(code);
}

char *
output_slug(const char *message, size_t max)
{
	char *slug = xmalloc(max + 1);
	size_t len = 0, run;
	const char *p = message, *start;

	while (*p != '\0') {
		while (*p != '\0' && !(isascii((unsigned char)*p) &&
		    isalnum((unsigned char)*p)))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (isascii((unsigned char)*p) && isalnum((unsigned char)*p))
			p++;
		run = (size_t)(p - start);
		if (len > 0 && len + 1 + run > max)
			break;
		if (len > 0)
			slug[len++] = '_';
		if (run > max - len)
			run = max - len;
		while (run-- > 0)
			slug[len++] = (char)tolower((unsigned char)*start++);
		if (len >= max)
			break;
	}
	slug[len] = '\0';
	return slug;
}

void
output_duration(char *buf, size_t size, long long ms)
{
	if (ms < 0)
		snprintf(buf, size, "-");
	else if (ms < 1000)
		snprintf(buf, size, "%lld ms", ms);
	else if (ms < 60000)
		snprintf(buf, size, "%lld.%lld s", ms / 1000, ms % 1000 / 100);
	else
		snprintf(buf, size, "%lld min %lld s", ms / 60000,
		    ms % 60000 / 1000);
}

void
output_time(char *buf, size_t size, const char *iso)
{
	size_t n;

	if (iso == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	/* 2026-11-27T23:15:55.123Z -> 2026-11-27 23:15:55 */
	snprintf(buf, size, "%s", iso);
	n = strlen(buf);
	if (n > 10 && buf[10] == 'T')
		buf[10] = ' ';
	if (n > 19 && (buf[19] == '.' || buf[19] == 'Z' || buf[19] == '+'))
		buf[19] = '\0';
}

char *
output_revlist(const json_t *list, const char *empty)
{
	char *s = NULL, *t;
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v) {
		if (!json_is_string(v))
			continue;
		t = xasprintf("%s%s%s", s != NULL ? s : "",
		    s != NULL ? ", " : "", json_string_value(v));
		free(s);
		s = t;
	}
	return s != NULL ? s : xstrdup(empty);
}

static bool
output_in_list(const json_t *list, const char *rev)
{
	const json_t *v;
	size_t i;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), rev) == 0)
			return true;
	return false;
}

static bool
output_jtrue(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* "a, b" of down_revision, or "<base>". */
static char *
output_down(const json_t *rev)
{
	return output_revlist(json_object_get(rev, "down_revision"), "<base>");
}

char *
output_history_line(const json_t *rev)
{
	const json_t *deps = json_object_get(rev, "depends_on");
	const json_t *labels = json_object_get(rev, "branch_labels");
	const char *id = output_jstr(rev, "revision");
	const char *msg = output_jstr(rev, "message");
	char *down, *dl, *ll, *s;

	down = output_down(rev);
	dl = json_array_size(deps) > 0 ? output_revlist(deps, "") : NULL;
	ll = json_array_size(labels) > 0 ? output_revlist(labels, "") : NULL;
	s = xasprintf("%s%s%s%s -> %s%s%s%s%s%s%s%s, %s", down,
	    dl != NULL ? " (" : "", dl != NULL ? dl : "", dl != NULL ? ")" : "",
	    id != NULL ? id : "?",
	    ll != NULL ? " (" : "", ll != NULL ? ll : "", ll != NULL ? ")" : "",
	    output_jtrue(rev, "is_head") ? " (head)" : "",
	    output_jtrue(rev, "is_current") ? " (current)" : "",
	    output_jtrue(rev, "is_branchpoint") ? " (branchpoint)" : "",
	    output_jtrue(rev, "is_mergepoint") ? " (mergepoint)" : "",
	    msg != NULL ? msg : "");
	free(down);
	free(dl);
	free(ll);
	return s;
}

/* Revisions of all whose down_revision names id, joined by ", ". */
static char *
output_children(const json_t *all, const char *id)
{
	json_t *kids = json_array();
	const json_t *r;
	const char *kid;
	size_t i;
	char *s;

	json_array_foreach(all, i, r) {
		kid = output_jstr(r, "revision");
		if (kid != NULL &&
		    output_in_list(json_object_get(r, "down_revision"), id))
			json_array_append_new(kids, json_string(kid));
	}
	s = output_revlist(kids, "");
	json_decref(kids);
	return s;
}

static void
output_opt_list(FILE *f, const char *label, const json_t *list)
{
	char *s;

	if (json_array_size(list) == 0)
		return;
	s = output_revlist(list, "");
	fprintf(f, "%s: %s\n", label, s);
	free(s);
}

void
output_history_verbose(FILE *f, const json_t *rev, const json_t *all)
{
	const char *id = output_jstr(rev, "revision");
	const char *msg = output_jstr(rev, "message");
	const char *date = output_jstr(rev, "create_date");
	const char *file = output_jstr(rev, "file");
	const json_t *applied = json_object_get(rev, "applied");
	bool merge = output_jtrue(rev, "is_mergepoint");
	char *down = output_down(rev), *kids;

	if (id == NULL)
		id = "?";
	fprintf(f, "Rev: %s%s%s%s%s\n", id,
	    output_jtrue(rev, "is_head") ? " (head)" : "",
	    output_jtrue(rev, "is_branchpoint") ? " (branchpoint)" : "",
	    merge ? " (mergepoint)" : "",
	    output_jtrue(rev, "is_current") ? " (current)" : "");
	fprintf(f, "%s: %s\n", merge ? "Merges" : "Parent", down);
	output_opt_list(f, "Also depends on", json_object_get(rev,
	    "depends_on"));
	if (output_jtrue(rev, "is_branchpoint")) {
		kids = output_children(all, id);
		fprintf(f, "Branches into: %s\n", kids);
		free(kids);
	}
	output_opt_list(f, "Branch names", json_object_get(rev,
	    "branch_labels"));
	fprintf(f, "Path: %s\n", file != NULL ? file : "-");
	if (json_is_boolean(applied))
		fprintf(f, "Applied: %s\n", json_is_true(applied) ? "yes" :
		    "no");
	fprintf(f, "\n    %s\n\n", msg != NULL && *msg != '\0' ? msg :
	    "(no message)");
	fprintf(f, "    Revision ID: %s\n", id);
	fprintf(f, "    Revises: %s\n", json_array_size(json_object_get(rev,
	    "down_revision")) > 0 ? down : "");
	fprintf(f, "    Create Date: %s\n\n", date != NULL ? date : "");
	free(down);
}

void
output_history(FILE *f, const json_t *result, bool verbose)
{
	const json_t *all = json_object_get(result, "revisions");
	const json_t *rev;
	size_t i;
	char *line;

	json_array_foreach(all, i, rev) {
		if (verbose) {
			output_history_verbose(f, rev, all);
			continue;
		}
		line = output_history_line(rev);
		fprintf(f, "%s\n", line);
		free(line);
	}
}

void
output_kv(FILE *f, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%-*s ", OUTPUT_LABEL_W, label);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

static void
output_database(FILE *f, const json_t *st)
{
	const json_t *db = json_object_get(st, "database");
	const char *dbname = output_jstr(db, "dbname");
	const char *host = output_jstr(db, "host");
	const char *port = output_jstr(db, "port");
	const char *error = output_jstr(st, "error");
	char *where;

	where = xasprintf("%s@%s:%s", dbname != NULL ? dbname : "?",
	    host != NULL ? host : "localhost", port != NULL ? port : "5432");
	if (json_is_false(json_object_get(st, "connected")))
		output_kv(f, "database", "%s   not connected%s%s", where,
		    error != NULL ? ": " : "", error != NULL ? error : "");
	else
		output_kv(f, "database", "%s   connected", where);
	free(where);
}

static void
output_role(FILE *f, const json_t *st)
{
	const char *role = output_jstr(st, "role");
	const json_t *leader = json_object_get(st, "leader");
	const char *app = output_jstr(leader, "application_name");
	const char *host = output_jstr(leader, "host");
	const json_t *pid = json_object_get(leader, "pid");

	if (role == NULL)
		role = "-";
	if (app != NULL && *app != '\0')
		output_kv(f, "role", "%s (%s)", role, app);
	else if (json_is_integer(pid))
		output_kv(f, "role", "%s (leader pid %lld%s%s)", role,
		    (long long)json_integer_value(pid),
		    host != NULL ? " on " : "", host != NULL ? host : "");
	else if (strcmp(role, "standby") == 0)
		output_kv(f, "role", "standby (no leader)");
	else
		output_kv(f, "role", "%s", role);
}

static const char *
output_state_sgr(const char *state)
{
	if (strcmp(state, "current") == 0)
		return SGR_GREEN;
	if (strcmp(state, "behind") == 0 || strcmp(state, "unknown") == 0)
		return SGR_YELLOW;
	return SGR_RED;
}

static void
output_state(FILE *f, const json_t *st, bool color)
{
	const char *state = output_jstr(st, "state");
	const json_t *auto_m = json_object_get(st, "auto_migrate");
	size_t npending = json_array_size(json_object_get(st, "pending"));
	char pend[64] = "";

	if (state == NULL)
		state = "unknown";
	if (npending > 0)
		snprintf(pend, sizeof pend, "%zu pending%s", npending,
		    json_is_boolean(auto_m) ? ", " : "");
	if (npending > 0 || json_is_boolean(auto_m))
		output_kv(f, "state", "%s%s%s (%s%s)",
		    output_sgr(color, output_state_sgr(state)), state,
		    output_sgr(color, SGR_RESET), pend,
		    !json_is_boolean(auto_m) ? "" : json_is_true(auto_m) ?
		    "auto-migrate on" : "auto-migrate off");
	else
		output_kv(f, "state", "%s%s%s",
		    output_sgr(color, output_state_sgr(state)), state,
		    output_sgr(color, SGR_RESET));
}

static void
output_revs(FILE *f, const char *label, const json_t *list,
    const char *empty)
{
	char *s;

	if (list == NULL || json_is_null(list)) {
		output_kv(f, label, "unknown");
		return;
	}
	s = output_revlist(list, empty);
	output_kv(f, label, "%s", s);
	free(s);
}

static void
output_pending(FILE *f, const json_t *pending)
{
	const json_t *p;
	const char *rev, *msg;
	int w = 0;
	size_t i;

	if (json_array_size(pending) == 0) {
		output_kv(f, "pending", "-");
		return;
	}
	json_array_foreach(pending, i, p)
		if ((rev = output_jstr(p, "revision")) != NULL &&
		    (int)strlen(rev) > w)
			w = (int)strlen(rev);
	json_array_foreach(pending, i, p) {
		rev = output_jstr(p, "revision");
		msg = output_jstr(p, "message");
		output_kv(f, i == 0 ? "pending" : "", "%-*s  %s%s", w,
		    rev != NULL ? rev : "?", msg != NULL ? msg : "",
		    json_is_true(json_object_get(p, "empty")) ? "  (empty)" :
		    "");
	}
}

static void
output_running(FILE *f, const json_t *run)
{
	const char *op = output_jstr(run, "op");
	const char *rev = output_jstr(run, "revision");
	const json_t *ms = json_object_get(run, "elapsed_ms");
	char dur[32];

	if (!json_is_object(run)) {
		output_kv(f, "running", "-");
		return;
	}
	output_duration(dur, sizeof dur, json_is_integer(ms) ?
	    (long long)json_integer_value(ms) : -1);
	output_kv(f, "running", "%s %s (%s)", op != NULL ? op : "?",
	    rev != NULL ? rev : "-", dur);
}

void
output_drift(FILE *f, const json_t *drift)
{
	const json_t *d;
	const char *rev, *file, *rec, *act;
	size_t i;

	json_array_foreach(drift, i, d) {
		rev = output_jstr(d, "revision");
		file = output_jstr(d, "file");
		rec = output_jstr(d, "recorded");
		act = output_jstr(d, "actual");
		output_kv(f, i == 0 ? "drift" : "", "%s  %s (recorded %.12s, "
		    "now %.12s)", rev != NULL ? rev : "?",
		    file != NULL ? file : "-", rec != NULL ? rec : "-",
		    act != NULL ? act : "-");
	}
}

/*
 * Schema drift (SPEC §8): objects changed outside migrations, as the
 * daemon's periodic check last saw them. Nothing from a daemon without it.
 */
static void
output_schema_drift(FILE *f, const json_t *st)
{
	const json_t *sd = json_object_get(st, "schema_drift"), *e;
	const char *note = output_jstr(st, "schema_drift_note");
	const char *obj, *chg;
	size_t i, n = json_array_size(sd);

	if (sd == NULL)
		return;
	if (!json_is_array(sd)) {
		output_kv(f, "schema", "unknown (%s)", note != NULL ? note :
		    "not checked yet");
		return;
	}
	if (n == 0) {
		output_kv(f, "schema", "as recorded by the last plan");
		return;
	}
	output_kv(f, "schema", "drift: %zu object%s changed outside "
	    "migrations", n, n == 1 ? "" : "s");
	json_array_foreach(sd, i, e) {
		obj = output_jstr(e, "object");
		chg = output_jstr(e, "change");
		output_kv(f, "", "%s %s", obj != NULL ? obj : "?",
		    chg != NULL ? chg : "changed");
	}
	if (note != NULL)
		output_kv(f, "", "%s", note);
}

/* Each line of text under the label column. */
static void
output_lines(FILE *f, const char *text)
{
	size_t n;

	while (text != NULL && *text != '\0') {
		n = strcspn(text, "\n");
		output_kv(f, "", "%.*s", (int)n, text);
		text = text[n] == '\n' ? text + n + 1 : NULL;
	}
}

static void
output_dirty(FILE *f, const json_t *dirty)
{
	const char *rev = output_jstr(dirty, "revision");
	const char *op = output_jstr(dirty, "operation");
	const char *err = output_jstr(dirty, "error");
	char when[32];

	if (!json_is_object(dirty))
		return;
	if (rev == NULL)
		rev = "?";
	output_time(when, sizeof when, output_jstr(dirty, "started_at"));
	output_kv(f, "dirty", "%s  %s did not finish (started %s)", rev,
	    op != NULL ? op : "step", when);
	output_lines(f, err);
}

/* The last failed step (issue 10 item 2), its error whole. */
static void
output_last_error(FILE *f, const json_t *le)
{
	const char *rev = output_jstr(le, "revision");
	const char *op = output_jstr(le, "operation");
	const char *by = output_jstr(le, "requested_by");
	char when[32];

	if (!json_is_object(le))
		return;
	output_time(when, sizeof when, output_jstr(le, "at"));
	output_kv(f, "failed", "%s  %s at %s by %s", rev != NULL ? rev : "?",
	    op != NULL ? op : "step", when, by != NULL ? by : "-");
	output_lines(f, output_jstr(le, "error"));
}

void
output_status(FILE *f, const json_t *result, bool color)
{
	output_database(f, result);
	output_role(f, result);
	output_state(f, result, color);
	output_revs(f, "current", json_object_get(result, "current"), "base");
	output_revs(f, "heads", json_object_get(result, "heads"), "none");
	output_pending(f, json_object_get(result, "pending"));
	output_running(f, json_object_get(result, "running"));
	output_drift(f, json_object_get(result, "drift"));
	output_schema_drift(f, result);
	output_dirty(f, json_object_get(result, "dirty"));
	if (!json_is_object(json_object_get(result, "dirty")))
		output_last_error(f, json_object_get(result, "last_error"));
	output_next(f, result);
}

void
output_check(FILE *f, const json_t *result, bool color)
{
	output_state(f, result, color);
	output_revs(f, "current", json_object_get(result, "current"), "base");
	output_revs(f, "target", json_object_get(result, "target"), "base");
	output_pending(f, json_object_get(result, "pending"));
	output_drift(f, json_object_get(result, "drift"));
}

void
output_current(FILE *f, const json_t *status)
{
	const json_t *heads = json_object_get(status, "heads");
	const json_t *v;
	const char *rev;
	size_t i;

	json_array_foreach(json_object_get(status, "current"), i, v) {
		if ((rev = json_string_value(v)) == NULL)
			continue;
		fprintf(f, "%s%s\n", rev, output_in_list(heads, rev) ?
		    " (head)" : "");
	}
}

void
output_heads(FILE *f, const json_t *status)
{
	const json_t *cur = json_object_get(status, "current");
	const json_t *v;
	const char *rev;
	size_t i;

	json_array_foreach(json_object_get(status, "heads"), i, v) {
		if ((rev = json_string_value(v)) == NULL)
			continue;
		fprintf(f, "%s (head)%s\n", rev, output_in_list(cur, rev) ?
		    " (current)" : "");
	}
}

/* A line "LABEL:  text" for each present optional field of error. */
static void
output_error_field(FILE *f, const json_t *error, const char *key,
    const char *label)
{
	const char *s = output_jstr(error, key);

	if (s != NULL && *s != '\0')
		fprintf(f, "%s:  %s\n", label, s);
}

/* Extra list (heads, candidates) unless the message names all of it. */
static void
output_error_list(FILE *f, const json_t *error, const char *key,
    const char *message)
{
	const json_t *list = json_object_get(error, key);
	const json_t *v;
	bool named = true;
	size_t i;
	char *s;

	json_array_foreach(list, i, v)
		if (json_is_string(v) &&
		    strstr(message, json_string_value(v)) == NULL)
			named = false;
	if (json_array_size(list) == 0 || named)
		return;
	s = output_revlist(list, "");
	fprintf(f, "%s: %s\n", key, s);
	free(s);
}

void
output_error(FILE *f, const json_t *error)
{
	const char *code = output_jstr(error, "code");
	const char *msg = output_jstr(error, "message");
	const char *file = output_jstr(error, "file");
	const char *sqlstate = output_jstr(error, "sqlstate");
	const json_t *line = json_object_get(error, "line");
	const char *hint;
	const json_t *v;
	size_t i;

	if (code == NULL)
		code = "internal";
	if (msg == NULL)
		msg = code;
	if (sqlstate != NULL || (file != NULL &&
	    strcmp(code, "migration_failed") == 0)) {
		/* cancelled (57014) and others carry SQL details too. */
		fprintf(f, OUTPUT_PROG ": %s: ",
		    strcmp(code, "migration_failed") == 0 ?
		    "migration failed" : code);
		if (file != NULL && json_is_integer(line))
			fprintf(f, "%s:%lld: ", file,
			    (long long)json_integer_value(line));
		else if (file != NULL)
			fprintf(f, "%s: ", file);
		fprintf(f, "%s", msg);
		if (sqlstate != NULL)
			fprintf(f, " (SQLSTATE %s)", sqlstate);
		fputc('\n', f);
		output_error_field(f, error, "detail", "DETAIL");
		output_error_field(f, error, "hint", "HINT");
		output_error_field(f, error, "context", "CONTEXT");
		return;
	}
	fprintf(f, OUTPUT_PROG ": %s (%s)\n", msg, code);
	json_array_foreach(json_object_get(error, "errors"), i, v)
		if (json_is_string(v))
			fprintf(f, "%s\n", json_string_value(v));
	if ((hint = output_jstr(error, "hint")) != NULL)
		fprintf(f, "hint: %s\n", hint);
	output_error_list(f, error, "heads", msg);
	output_error_list(f, error, "candidates", msg);
}

void
output_step(FILE *f, enum output_mark mark, const char *rev, int revw,
    const char *msg, int msgw, long long ms, bool color)
{
	const char *text, *sgr;
	char dur[32];

	switch (mark) {
	case OUTPUT_MARK_OK:
		text = "ok";
		sgr = SGR_GREEN;
		break;
	case OUTPUT_MARK_FAILED:
		text = "FAILED";
		sgr = SGR_RED SGR_BOLD;
		break;
	default:
		text = "..";
		sgr = SGR_YELLOW;
		break;
	}
	output_duration(dur, sizeof dur, ms);
	fprintf(f, "  %s%-6s%s %-*s  %-*s  %s%s%s", output_sgr(color, sgr),
	    text, output_sgr(color, SGR_RESET), revw, rev, msgw,
	    msg != NULL ? msg : "", ms >= 0 ? "(" : "", ms >= 0 ? dur : "",
	    ms >= 0 ? ")" : "");
}

char *
output_summary(const char *verb, const json_t *result, const char *target)
{
	const json_t *steps = json_object_get(result, "steps");
	const json_t *st, *ms;
	long long total = 0;
	char *from, *to, *s, dur[32];
	size_t i, n = json_array_size(steps);

	if (n == 0)
		return xasprintf("already at %s", target);
	json_array_foreach(steps, i, st) {
		ms = json_object_get(st, "duration_ms");
		if (json_is_integer(ms))
			total += json_integer_value(ms);
	}
	output_duration(dur, sizeof dur, total);
	from = output_revlist(json_object_get(result, "from"), "base");
	to = output_revlist(json_object_get(result, "to"), "base");
	s = xasprintf("%s %s -> %s in %zu step%s, %s", verb, from, to, n,
	    n == 1 ? "" : "s", dur);
	free(from);
	free(to);
	return s;
}
