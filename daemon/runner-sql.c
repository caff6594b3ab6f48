/* SPDX-License-Identifier: MIT */
/* runner-sql.c: version-row sets and the SQL batches the runner sends. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "runner-sql.h"

static int
rowset_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
rowset_clear(struct rowset *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		free(rs->v[i]);
	free(rs->v);
	rs->v = NULL;
	rs->n = 0;
}

void
rowset_from_strs(struct rowset *out, char *const *v, size_t n)
{
	size_t i;

	out->v = xcalloc(n + 1, sizeof *out->v);
	for (i = 0; i < n; i++)
		out->v[i] = xstrdup(v[i]);
	out->n = n;
	qsort(out->v, n, sizeof *out->v, rowset_cmp);
}

void
rowset_from_idx(struct rowset *out, const struct revset *rs,
    const size_t *idx, size_t n)
{
	size_t i;

	out->v = xcalloc(n + 1, sizeof *out->v);
	for (i = 0; i < n; i++)
		out->v[i] = xstrdup(rs->g->nodes[idx[i]].id);
	out->n = n;
	qsort(out->v, n, sizeof *out->v, rowset_cmp);
}

json_t *
rowset_json(const struct rowset *rs)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < rs->n; i++)
		json_array_append_new(a, json_string(rs->v[i]));
	return a;
}

static bool
rowset_has(const struct rowset *rs, const char *id)
{
	return bsearch(&id, rs->v, rs->n, sizeof *rs->v, rowset_cmp) != NULL;
}

char *
rowset_array(const struct rowset *rs)
{
	size_t i, len = 3;
	const char *p;
	char *s, *o;

	for (i = 0; i < rs->n; i++)
		len += 2 * strlen(rs->v[i]) + 3;
	o = s = xmalloc(len);
	*o++ = '{';
	for (i = 0; i < rs->n; i++) {
		if (i > 0)
			*o++ = ',';
		*o++ = '"';
		for (p = rs->v[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				*o++ = '\\';
			*o++ = *p;
		}
		*o++ = '"';
	}
	*o++ = '}';
	*o = '\0';
	return s;
}

char *
rsql_quote_literal(const char *s)
{
	bool bs = strchr(s, '\\') != NULL;
	char *q, *o;

	o = q = xmalloc(2 * strlen(s) + 4);
	if (bs)
		*o++ = 'E';	/* whatever standard_conforming_strings says */
	*o++ = '\'';
	for (; *s != '\0'; s++) {
		if (*s == '\'' || *s == '\\')
			*o++ = *s;
		*o++ = *s;
	}
	*o++ = '\'';
	*o = '\0';
	return q;
}

void
rsql_init(struct rsql_batch *b)
{
	memset(b, 0, sizeof *b);
}

void
rsql_clear(struct rsql_batch *b)
{
	size_t i;
	int j;

	for (i = 0; i < b->n; i++) {
		free((char *)b->q[i].sql);
		for (j = 0; j < b->q[i].nparams; j++)
			free(b->params[i][j]);
		free(b->params[i]);
	}
	free(b->q);
	free(b->params);
	memset(b, 0, sizeof *b);
}

static size_t
rsql_push(struct rsql_batch *b, char *sql, int nparams, va_list ap)
{
	const char *p;
	int j;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->q = xreallocarray(b->q, b->cap, sizeof *b->q);
		b->params = xreallocarray(b->params, b->cap,
		    sizeof *b->params);
	}
	b->q[b->n].sql = sql;
	b->q[b->n].nparams = nparams;
	b->params[b->n] = xcalloc(nparams + 1, sizeof(char *));
	for (j = 0; j < nparams; j++) {
		p = va_arg(ap, const char *);
		b->params[b->n][j] = p != NULL ? xstrdup(p) : NULL;
	}
	b->q[b->n].params = (const char *const *)b->params[b->n];
	return b->n++;
}

size_t
rsql_add(struct rsql_batch *b, const char *sql, int nparams, ...)
{
	va_list ap;
	size_t k;

	va_start(ap, nparams);
	k = rsql_push(b, xstrdup(sql), nparams, ap);
	va_end(ap);
	return k;
}

/* Append an owned, formatted statement without parameters. */
/*
 * A statement naming one table, formatted once and kept while the table's
 * name (D->vt, D->ht: a reload may change them) stays the same: a step
 * sends four of them, each an xasprintf() before.
 */
struct rsql_text {
	char *tbl;
	char *sql;
};

static const char *
rsql_text(struct rsql_text *c, const char *tbl, const char *fmt, ...)
    MIG_PRINTF(3, 4);

static const char *
rsql_text(struct rsql_text *c, const char *tbl, const char *fmt, ...)
{
	va_list ap;

	if (c->sql != NULL && strcmp(c->tbl, tbl) == 0)
		return c->sql;
	free(c->tbl);
	free(c->sql);
	va_start(ap, fmt);
	c->sql = xvasprintf(fmt, ap);
	va_end(ap);
	c->tbl = xstrdup(tbl);
	return c->sql;
}

void
rsql_add_lock(struct rsql_batch *b, const struct rowset *rows,
    const char *lock_timeout)
{
	static struct rsql_text lock;
	char *arr;

	/* the LOCK waits for other writers: never without a bound */
	if (lock_timeout != NULL)
		rsql_add(b, "SELECT pg_catalog.set_config('lock_timeout', $1, "
		    "true)", 1, lock_timeout);
	rsql_add(b, rsql_text(&lock, D->vt, "LOCK TABLE %s IN EXCLUSIVE MODE",
	    D->vt), 0);
	arr = rowset_array(rows);
	rsql_add(b, "SELECT pg_catalog.set_config('migrated.expected_rows', "
	    "$1, true)", 1, arr);
	free(arr);
	guard_add(b);
}

void
rsql_add_timeouts(struct rsql_batch *b, const struct migfile *mf, bool local)
{
	const char *lt, *st;

	lt = mf->lock_timeout != NULL ? mf->lock_timeout :
	    mf->transactional ? D->cfg.lock_timeout : "0";
	st = mf->statement_timeout != NULL ? mf->statement_timeout :
	    D->cfg.statement_timeout;
	rsql_add(b, "SELECT pg_catalog.set_config('lock_timeout', $1, "
	    "$3::boolean), pg_catalog.set_config('statement_timeout', $2, "
	    "$3::boolean)", 3, lt, st, local ? "true" : "false");
}

size_t
rsql_add_stmts(struct rsql_batch *b, const struct split_list *sl)
{
	size_t i;

	for (i = 0; i < sl->n; i++)
		rsql_add(b, sl->v[i].sql, 0);
	return sl->n;
}

/* The ids of a missing from b, as a text[] parameter; NULL if none. */
static char *
rowset_minus(const struct rowset *a, const struct rowset *b)
{
	struct rowset d = { 0 };
	size_t i;
	char *s;

	d.v = xcalloc(a->n + 1, sizeof *d.v);
	for (i = 0; i < a->n; i++)
		if (!rowset_has(b, a->v[i]))
			d.v[d.n++] = a->v[i];
	s = d.n > 0 ? rowset_array(&d) : NULL;
	free(d.v);
	return s;
}

void
rsql_version_change(struct rsql_batch *b, const struct rowset *from,
    const struct rowset *to)
{
	static struct rsql_text delete, insert, both;
	char *del, *ins;

	del = rowset_minus(from, to);
	ins = rowset_minus(to, from);
	/*
	 * Both (a step of a linear upgrade): one statement, one parse, plan
	 * and execution fewer in the backend. The sets are disjoint, and a
	 * data-modifying WITH runs once whether or not it is read.
	 */
	if (del != NULL && ins != NULL)
		rsql_add(b, rsql_text(&both, D->vt, "WITH d AS (DELETE FROM %s "
		    "WHERE version_num = ANY ($1::text[])) INSERT INTO %s "
		    "(version_num) SELECT pg_catalog.unnest($2::text[])", D->vt,
		    D->vt), 2, del, ins);
	else if (del != NULL)
		rsql_add(b, rsql_text(&delete, D->vt, "DELETE FROM %s WHERE "
		    "version_num = ANY ($1::text[])", D->vt), 1, del);
	else if (ins != NULL)
		rsql_add(b, rsql_text(&insert, D->vt, "INSERT INTO %s "
		    "(version_num) SELECT pg_catalog.unnest($1::text[])",
		    D->vt), 1, ins);
	free(del);
	free(ins);
}

void
rsql_history(struct rsql_batch *b, const struct migfile *mf,
    const char *operation, const char *outcome, const char *error,
    const char *user, bool transactional, uint64_t started_ms)
{
	static struct rsql_text texts[2][2];	/* [started?][transactional] */
	char pid[16], start[32];
	const char *sql;

	snprintf(pid, sizeof pid, "%ld", (long)D->pid);
	if (started_ms)
		snprintf(start, sizeof start, "%.3f", started_ms / 1000.0);
	else
		start[0] = '\0';	/* not sent: 10 parameters */
	sql = rsql_text(&texts[started_ms != 0][transactional], D->ht,
	    "INSERT INTO %s (revision, operation, checksum, "
	    "message, started_at, finished_at, duration_ms, outcome, error, "
	    "host, pid, instance, requested_by, transactional) VALUES ($1, "
	    "$2, $3, $4, %s, clock_timestamp(), (extract(epoch FROM "
	    "clock_timestamp() - %s) * 1000)::bigint, $5, $6, $7, $8::int, "
	    "$9, $10, %s)", D->ht,
	    started_ms ? "to_timestamp($11::float8)" : "now()",
	    started_ms ? "to_timestamp($11::float8)" : "now()",
	    transactional ? "true" : "false");
	rsql_add(b, sql, started_ms ? 11 : 10, mf->revision, operation,
	    strcmp(operation, "upgrade") == 0 ? mf->checksum : NULL,
	    mf->message, outcome, error, D->hostname, pid, D->instance, user,
	    start);
}

void
rsql_history_notify(struct rsql_batch *b, const struct migfile *mf,
    const char *operation, const char *user)
{
	static struct rsql_text text;
	char pid[16];

	snprintf(pid, sizeof pid, "%ld", (long)D->pid);
	rsql_add(b, rsql_text(&text, D->ht, "WITH h AS (INSERT INTO %s "
	    "(revision, operation, checksum, message, started_at, "
	    "finished_at, duration_ms, outcome, error, host, pid, instance, "
	    "requested_by, transactional) VALUES ($1, $2, $3, $4, now(), "
	    "clock_timestamp(), (extract(epoch FROM clock_timestamp() - "
	    "now()) * 1000)::bigint, 'ok', NULL, $5, $6::int, $7, $8, true)) "
	    "SELECT pg_catalog.pg_notify('" NOTIFY_CHANNEL "', $9)", D->ht),
	    9, mf->revision, operation,
	    strcmp(operation, "upgrade") == 0 ? mf->checksum : NULL,
	    mf->message, D->hostname, pid, D->instance, user,
	    rsql_notify_payload());
}

void
rsql_nt_start(struct rsql_batch *b, const struct migfile *mf,
    const char *operation, const char *user)
{
	char pid[16], *sql;

	snprintf(pid, sizeof pid, "%ld", (long)D->pid);
	sql = xasprintf("INSERT INTO %s (revision, operation, checksum, "
	    "message, outcome, host, pid, instance, requested_by, "
	    "transactional) VALUES ($1, $2, $3, $4, 'running', $5, $6::int, "
	    "$7, $8, false) RETURNING id", D->ht);
	rsql_add(b, sql, 8, mf->revision, operation,
	    strcmp(operation, "upgrade") == 0 ? mf->checksum : NULL,
	    mf->message, D->hostname, pid, D->instance, user);
	free(sql);
}

char *
rsql_nt_progress(const char *path, const struct split_list *sl, size_t done,
    bool ended)
{
	const char *next = ended ? "did not complete" : "may have run";

	if (done >= sl->n)
		return sl->n == 0 ? xstrdup("STATEMENTS: none") :
		    xasprintf("STATEMENTS: %zu of %zu done (the last at %s:%d)",
		    sl->n, sl->n, path, sl->v[sl->n - 1].line);
	if (done == 0)
		return xasprintf("STATEMENTS: 0 of %zu done; %s:%d %s", sl->n,
		    path, sl->v[0].line, next);
	return xasprintf("STATEMENTS: %zu of %zu done (the last at %s:%d); "
	    "%s:%d %s", done, sl->n, path, sl->v[done - 1].line, path,
	    sl->v[done].line, next);
}

void
rsql_nt_progress_row(struct rsql_batch *b, const char *id, const char *text)
{
	char *sql;

	sql = xasprintf("UPDATE %s SET error = $2 WHERE id = $1::bigint",
	    D->ht);
	rsql_add(b, sql, 2, id, text);
	free(sql);
}

void
rsql_nt_done(struct rsql_batch *b, const char *id)
{
	char *sql;

	/* the progress kept in error while it ran is no error */
	sql = xasprintf("UPDATE %s SET outcome = 'ok', finished_at = "
	    "clock_timestamp(), duration_ms = (extract(epoch FROM "
	    "clock_timestamp() - started_at) * 1000)::bigint, error = NULL "
	    "WHERE id = $1::bigint", D->ht);
	rsql_add(b, sql, 1, id);
	free(sql);
}

void
rsql_nt_failed(struct rsql_batch *b, const char *id, const char *msg)
{
	char *sql;

	sql = xasprintf("UPDATE %s SET outcome = 'failed', finished_at = "
	    "clock_timestamp(), duration_ms = (extract(epoch FROM "
	    "clock_timestamp() - started_at) * 1000)::bigint, error = $2 "
	    "WHERE id = $1::bigint", D->ht);
	rsql_add(b, sql, 2, id, msg);
	free(sql);
}

void
rsql_history_row(struct rsql_batch *b, const char *revision,
    const char *operation, const char *checksum, const char *message,
    const char *user)
{
	char pid[16], *sql;

	snprintf(pid, sizeof pid, "%ld", (long)D->pid);
	sql = xasprintf("INSERT INTO %s (revision, operation, checksum, "
	    "message, finished_at, duration_ms, outcome, host, pid, instance, "
	    "requested_by) VALUES ($1, $2, $3, $4, clock_timestamp(), 0, "
	    "'ok', $5, $6::int, $7, $8)", D->ht);
	rsql_add(b, sql, 8, revision, operation, checksum, message,
	    D->hostname, pid, D->instance, user);
	free(sql);
}

void
rsql_add_reset(struct rsql_batch *b)
{
	rsql_add(b, "RESET ALL", 0);
	rsql_add(b, "RESET ROLE", 0);
}

const char *
rsql_notify_payload(void)
{
	static char *payload, *app;
	json_t *o;

	/* the same bytes for every step: encoded once per app_name */
	if (payload != NULL && strcmp(app, D->app_name) == 0)
		return payload;
	free(payload);
	free(app);
	/*
	 * As leader_announce(): jansson escapes what the host name in
	 * app_name holds (without a valid "app", a daemon also refreshes on
	 * its own notice, which is harmless).
	 */
	o = json_object();
	json_object_set_new(o, "type", json_string("changed"));
	json_object_set_new(o, "app", json_string(D->app_name));
	payload = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (payload == NULL)
		fatal("rsql_notify: cannot encode the payload");
	app = xstrdup(D->app_name);
	return payload;
}

void
rsql_notify(struct rsql_batch *b)
{
	rsql_add(b, "SELECT pg_catalog.pg_notify('" NOTIFY_CHANNEL "', $1)",
	    1, rsql_notify_payload());
}

int
rsql_send(struct rsql_batch *b, struct db *db, bool pipeline, db_batch_cb cb)
{
	char **sql, ***params;
	int *nparams;
	size_t i, n = b->n;

	/* the batch's strings go to db as they are, not copied again */
	sql = xcalloc(n, sizeof *sql);
	nparams = xcalloc(n, sizeof *nparams);
	for (i = 0; i < n; i++) {
		sql[i] = (char *)b->q[i].sql;
		nparams[i] = b->q[i].nparams;
	}
	params = b->params;
	free(b->q);
	memset(b, 0, sizeof *b);
	return db_batch_take(db, pipeline, n, sql, nparams, params, cb, NULL);
}
