/* SPDX-License-Identifier: MIT */
/* fakedb-model.c: the fake database's answers to the daemon's statements. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "fakedb-int.h"
#include "log.h"
#include "xmalloc.h"

/*
 * The daemon reads error fields (SQLSTATE, message) of results the fake
 * makes; libpq has no setter for them, so the test programs are linked
 * with -Wl,--wrap for these two and the fake answers for its own results.
 */
char *__real_PQresultErrorField(const PGresult *res, int fieldcode);
char *__real_PQresultErrorMessage(const PGresult *res);
char *__wrap_PQresultErrorField(const PGresult *res, int fieldcode);
char *__wrap_PQresultErrorMessage(const PGresult *res);

struct fk_err {
	LIST_ENTRY(fk_err) entry;
	const PGresult *res;
	char *sqlstate, *message, *text;
};

struct fakedb_model fakedb;

static LIST_HEAD(, fk_err) fk_errs = LIST_HEAD_INITIALIZER(fk_errs);
static char *fk_expected; /* migrated.expected_rows of the txn */

/* ---- results ------------------------------------------------------------ */

static PGresult *
fk_tuples(int ncols, int nrows, const char *const *v)
{
	PGresAttDesc att[16];
	PGresult *res;
	char names[16][8];
	int c, r;

	if (ncols > 16)
		fatal("fakedb: too many columns");
	memset(att, 0, sizeof att);
	for (c = 0; c < ncols; c++) {
		snprintf(names[c], sizeof names[c], "c%d", c);
		att[c].name = names[c];
		att[c].typid = 25; /* text */
		att[c].typlen = -1;
		att[c].atttypmod = -1;
	}
	res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	if (res == NULL || !PQsetResultAttrs(res, ncols, att))
		fatal("fakedb: cannot make a result");
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++)
			if (!PQsetvalue(res, r, c, (char *)v[r * ncols + c],
				v[r * ncols + c] != NULL ?
				    (int)strlen(v[r * ncols + c]) :
				    -1))
				fatal("fakedb: cannot set a value");
	return res;
}

static PGresult *
fk_one(const char *v)
{
	return fk_tuples(1, 1, &v);
}

static PGresult *
fk_ok(void)
{
	return PQmakeEmptyPGresult(NULL, PGRES_COMMAND_OK);
}

PGresult *
fk_error(const char *sqlstate, const char *message)
{
	struct fk_err *e;

	e = xcalloc(1, sizeof *e);
	e->res = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	e->sqlstate = xstrdup(sqlstate);
	e->message = xstrdup(message);
	e->text = xasprintf("ERROR:  %s\n", message);
	LIST_INSERT_HEAD(&fk_errs, e, entry);
	return (PGresult *)e->res;
}

void
fk_clear(PGresult *res)
{
	struct fk_err *e;

	if (res == NULL)
		return;
	LIST_FOREACH(e, &fk_errs, entry)
	if (e->res == res) {
		LIST_REMOVE(e, entry);
		free(e->sqlstate);
		free(e->message);
		free(e->text);
		free(e);
		break;
	}
	PQclear(res);
}

static struct fk_err *
fk_err_of(const PGresult *res)
{
	struct fk_err *e;

	LIST_FOREACH(e, &fk_errs, entry)
	if (e->res == res)
		return e;
	return NULL;
}

char *
__wrap_PQresultErrorField(const PGresult *res, int fieldcode)
{
	struct fk_err *e = fk_err_of(res);

	if (e == NULL)
		return __real_PQresultErrorField(res, fieldcode);
	switch (fieldcode) {
	case PG_DIAG_SQLSTATE:
		return e->sqlstate;
	case PG_DIAG_MESSAGE_PRIMARY:
		return e->message;
	case PG_DIAG_SEVERITY:
	case PG_DIAG_SEVERITY_NONLOCALIZED:
		return (char *)"ERROR";
	default:
		return NULL;
	}
}

char *
__wrap_PQresultErrorMessage(const PGresult *res)
{
	struct fk_err *e = fk_err_of(res);

	return e != NULL ? e->text : __real_PQresultErrorMessage(res);
}

/* ---- the model ---------------------------------------------------------- */

static int
fk_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
fk_has_row(const char *id)
{
	size_t i;

	for (i = 0; i < fakedb.nrows; i++)
		if (strcmp(fakedb.rows[i], id) == 0)
			return true;
	return false;
}

static void
fk_add_row(const char *id)
{
	if (fk_has_row(id) || fakedb.nrows == FAKEDB_MAX_ROWS)
		return;
	fakedb.rows[fakedb.nrows++] = xstrdup(id);
	qsort(fakedb.rows, fakedb.nrows, sizeof *fakedb.rows, fk_cmp);
}

static void
fk_del_row(const char *id)
{
	size_t i;

	for (i = 0; i < fakedb.nrows; i++)
		if (strcmp(fakedb.rows[i], id) == 0) {
			free(fakedb.rows[i]);
			memmove(&fakedb.rows[i], &fakedb.rows[i + 1],
			    (fakedb.nrows - i - 1) * sizeof *fakedb.rows);
			fakedb.nrows--;
			return;
		}
}

static void
fk_clear_rows(char **rows, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free(rows[i]);
	*n = 0;
}

void
fakedb_set_rows(const char *const *rows, size_t n)
{
	size_t i;

	fk_clear_rows(fakedb.rows, &fakedb.nrows);
	for (i = 0; i < n; i++)
		fk_add_row(rows[i]);
}

const char *
fakedb_rows_text(void)
{
	static char buf[4096];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < fakedb.nrows && len < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s",
		    i ? "," : "", fakedb.rows[i]);
	return buf;
}

void
fakedb_set_nt(const char *revision, const char *host, long pid,
    const char *instance)
{
	struct fakedb_nt *nt = &fakedb.nt;

	memset(nt, 0, sizeof *nt);
	nt->set = true;
	snprintf(nt->revision, sizeof nt->revision, "%s", revision);
	snprintf(nt->operation, sizeof nt->operation, "upgrade");
	snprintf(nt->outcome, sizeof nt->outcome, "running");
	snprintf(nt->host, sizeof nt->host, "%s", host);
	snprintf(nt->pid, sizeof nt->pid, "%ld", pid);
	snprintf(nt->instance, sizeof nt->instance, "%s",
	    instance != NULL ? instance : "");
}

/* The dirty check's query: the latest unresolved step that is not ok. */
static PGresult *
fk_nt_row(void)
{
	const struct fakedb_nt *nt = &fakedb.nt;
	const char *v[8];

	if (!nt->set || strcmp(nt->outcome, "ok") == 0)
		return fk_tuples(8, 0, NULL);
	v[0] = nt->revision;
	v[1] = nt->operation;
	v[2] = "2026-01-01 00:00:00+00";
	v[3] = nt->outcome;
	v[4] = NULL;
	v[5] = nt->host;
	v[6] = nt->pid;
	v[7] = nt->instance[0] != '\0' ? nt->instance : NULL;
	return fk_tuples(8, 1, v);
}

/* A history insert (revision, operation, ...) as the dirty check sees it. */
static void
fk_nt_insert(const char *sql, int np, char **p)
{
	if (np < 2 || p[0] == NULL || p[1] == NULL)
		return;
	if (strcmp(p[1], "resolve") == 0 && fakedb.nt.set &&
	    strcmp(p[0], fakedb.nt.revision) == 0)
		fakedb.nt.set = false;
	if (strstr(sql, "'running'") == NULL || np < 7)
		return; /* rsql_nt_start: $5 host, $6 pid, $7 instance */
	fakedb_set_nt(p[0], p[4] != NULL ? p[4] : "",
	    strtol(p[5] != NULL ? p[5] : "0", NULL, 10), p[6]);
	snprintf(fakedb.nt.operation, sizeof fakedb.nt.operation, "%s", p[1]);
}

/* The rows as PostgreSQL prints a text[] of simple ids: {a,b}. */
static char *
fk_rows_array(void)
{
	char *s = xstrdup("{"), *t;
	size_t i;

	for (i = 0; i < fakedb.nrows; i++) {
		t = xasprintf("%s%s%s", s, i ? "," : "", fakedb.rows[i]);
		free(s);
		s = t;
	}
	t = xasprintf("%s}", s);
	free(s);
	return t;
}

/* Call fn on each element of a text[] literal ("{a,"b c"}"). */
static void
fk_each_elem(const char *lit, void (*fn)(const char *))
{
	char buf[256];
	size_t n;
	const char *p = lit;

	if (*p++ != '{')
		fatal("fakedb: not an array literal: %s", lit);
	while (*p != '\0' && *p != '}') {
		n = 0;
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (n < sizeof buf - 1)
					buf[n++] = *p;
			}
			if (*p == '"')
				p++;
		} else
			for (; *p != '\0' && *p != ',' && *p != '}'; p++)
				if (n < sizeof buf - 1)
					buf[n++] = *p;
		buf[n] = '\0';
		fn(buf);
		if (*p == ',')
			p++;
	}
}

static char *fk_cmp_v[FAKEDB_MAX_ROWS + 1];
static size_t fk_cmp_n;

static void
fk_collect(const char *id)
{
	if (fk_cmp_n <= FAKEDB_MAX_ROWS)
		fk_cmp_v[fk_cmp_n++] = xstrdup(id);
}

/* The rows are, in this order, the elements of text[] literal lit. */
static bool
fk_rows_are(const char *lit)
{
	bool same;
	size_t i;

	fk_cmp_n = 0;
	fk_each_elem(lit, fk_collect);
	same = fk_cmp_n == fakedb.nrows;
	for (i = 0; i < fk_cmp_n; i++) {
		if (same && strcmp(fk_cmp_v[i], fakedb.rows[i]) != 0)
			same = false;
		free(fk_cmp_v[i]);
	}
	return same;
}

static void
fk_begin(struct db *db)
{
	size_t i;

	fk_clear_rows(db->snap, &db->nsnap);
	for (i = 0; i < fakedb.nrows; i++)
		db->snap[i] = xstrdup(fakedb.rows[i]);
	db->nsnap = fakedb.nrows;
	db->in_txn = true;
}

void
fk_end(struct db *db, bool commit)
{
	size_t i;

	if (!db->in_txn)
		return;
	if (!commit) {
		fk_clear_rows(fakedb.rows, &fakedb.nrows);
		for (i = 0; i < db->nsnap; i++)
			fakedb.rows[i] = xstrdup(db->snap[i]);
		fakedb.nrows = db->nsnap;
	}
	fk_clear_rows(db->snap, &db->nsnap);
	db->in_txn = false;
	db->aborted = false;
	free(fk_expected);
	fk_expected = NULL;
}

static bool
fk_has(const char *sql, const char *s)
{
	return strstr(sql, s) != NULL;
}

static const char *
fk_bool(bool b)
{
	return b ? "t" : "f";
}

/* The lock's holder as pg_stat_activity shows it: pid, name, host. */
static PGresult *
fk_lock_row(void)
{
	static char pid[16];
	const char *v[3] = { pid, NULL, "local" };

	if (fakedb.holder != NULL) {
		snprintf(pid, sizeof pid, "%d", fakedb.holder->pid);
		v[1] = D->app_name;
	} else if (fakedb.other_holder) {
		snprintf(pid, sizeof pid, "%d", 99);
		v[1] = "migrated@0123456789abcdef other:99";
	} else
		return fk_tuples(3, 0, NULL);
	return fk_tuples(3, 1, v);
}

/* The database's answer to one statement of a session in good standing. */
PGresult *
fk_model(struct db *db, const char *sql, int np, char **p)
{
	static char pid[24];
	const char *v[11];
	char *a;
	bool ok;

	snprintf(pid, sizeof pid, "%d", db->pid);
	if (strcmp(sql, "BEGIN") == 0) {
		fk_begin(db);
		return fk_ok();
	}
	if (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0) {
		fk_end(db, strcmp(sql, "COMMIT") == 0 && !db->aborted);
		return fk_ok();
	}
	if (fk_has(sql, "set_config('migrated.session'")) {
		free(db->marker);
		db->marker = xstrdup(np > 0 && p[0] != NULL ? p[0] : "");
		return fk_one(db->marker);
	}
	if (strncmp(sql, "RESET ALL", 9) == 0) {
		free(db->marker);
		db->marker = NULL;
		return fk_ok();
	}
	if (fk_has(sql, "pg_try_advisory_lock")) {
		ok = !fakedb.other_holder &&
		    (fakedb.holder == NULL || fakedb.holder == db);
		if (ok)
			fakedb.holder = db;
		v[0] = fk_bool(ok);
		v[1] = pid;
		v[2] = "f";
		return fk_tuples(3, 1, v);
	}
	if (fk_has(sql, "current_setting('migrated.session', true) = $1")) {
		v[0] = fk_bool(db->marker != NULL && np > 0 &&
		    strcmp(db->marker, p[0]) == 0);
		v[1] = fk_bool(fakedb.holder == db);
		return fk_tuples(2, 1, v);
	}
	if (fk_has(sql, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks"))
		return fk_one(fk_bool(fakedb.holder == db));
	if (fk_has(sql, "pg_advisory_unlock_all")) {
		if (fakedb.holder == db)
			fakedb.holder = NULL;
		return fk_one("");
	}
	if (fk_has(sql, "pg_catalog.pg_backend_pid()") &&
	    strncmp(sql, "SELECT pg_catalog.pg_backend_pid()", 34) == 0)
		return fk_one(pid);
	if (fk_has(sql, "WITH h AS (INSERT INTO") &&
	    fk_has(sql, "(revision, operation")) {
		/* a step's 'ok' row and its pg_notify (rsql_history_notify) */
		fk_nt_insert(sql, np, p);
		fakedb.history_rows++;
		return fk_one("");
	}
	if (fk_has(sql, "pg_notify") || fk_has(sql, "pg_cancel_backend") ||
	    fk_has(sql, "pg_terminate_backend"))
		return fk_one("");
	if (fk_has(sql, "to_regclass($1) IS NOT NULL")) {
		v[0] = v[1] = fk_bool(fakedb.tables);
		v[2] = fk_bool(fakedb.tables);
		return fk_tuples(3, 1, v);
	}
	if (fk_has(sql, "JOIN pg_catalog.pg_stat_activity a"))
		return fk_lock_row();
	if (fk_has(sql, "WITH s AS (SELECT n.oid AS nsp")) {
		v[0] = "t";
		v[1] = v[2] = fk_bool(fakedb.tables);
		v[3] = v[4] = "t";
		v[5] = v[6] = NULL;
		v[7] = "tester";
		v[8] = "fakedb";
		v[9] = v[10] = "t"; /* history has instance; ours */
		return fk_tuples(11, 1, v);
	}
	if (fk_has(sql, "CREATE TABLE IF NOT EXISTS")) {
		fakedb.tables = true;
		return fk_ok();
	}
	if (fk_has(sql, "SELECT version_num FROM"))
		return fk_tuples(1, (int)fakedb.nrows,
		    (const char *const *)fakedb.rows);
	if (fk_has(sql, "WHERE NOT transactional"))
		return fk_nt_row();
	if (fk_has(sql, "SELECT DISTINCT ON (revision"))
		return fk_tuples(2, 0, NULL);
	if (fk_has(sql, "WHERE outcome = 'failed'"))
		return fk_tuples(6, 0, NULL);
	if (fk_has(sql, "to_regprocedure('pg_temp.migrated_guard()')"))
		return fk_one("f");
	if (fk_has(sql, "set_config('lock_timeout'")) {
		v[0] = v[1] = "";
		return fk_tuples(2, 1, v);
	}
	if (fk_has(sql, "set_config('migrated.expected_rows'")) {
		free(fk_expected);
		fk_expected = xstrdup(np > 0 && p[0] != NULL ? p[0] : "{}");
		return fk_one(fk_expected);
	}
	if (fk_has(sql, "DO $migrated$BEGIN IF NOT EXISTS")) {
		if (fakedb.holder != db)
			return fk_error("MGLCK",
			    "migrated: advisory lock is "
			    "not held by this session");
		a = fk_rows_array();
		ok = fk_expected != NULL && fk_rows_are(fk_expected);
		log_debug("fakedb: guard: rows %s, expected %s", a,
		    fk_expected != NULL ? fk_expected : "(unset)");
		free(a);
		return ok ? fk_ok() :
			    fk_error("MGPLN",
				"migrated: the "
				"version table changed under this plan");
	}
	if (fk_has(sql, "WITH d AS (DELETE FROM") &&
	    fk_has(sql, "pg_catalog.unnest($2::text[])")) {
		/* rsql_version_change() with rows to drop and to add */
		fk_each_elem(p[0], fk_del_row);
		fk_each_elem(p[1], fk_add_row);
		return fk_ok();
	}
	if (fk_has(sql,
		"(version_num) SELECT pg_catalog.unnest($1::text[])")) {
		fk_each_elem(p[0], fk_add_row);
		return fk_ok();
	}
	if (fk_has(sql, "WHERE version_num = ANY ($1::text[])")) {
		fk_each_elem(p[0], fk_del_row);
		return fk_ok();
	}
	if (fk_has(sql, "INSERT INTO") &&
	    fk_has(sql, "(revision, operation")) {
		fk_nt_insert(sql, np, p);
		fakedb.history_rows++;
		snprintf(pid, sizeof pid, "%ld", fakedb.history_rows);
		return fk_has(sql, "RETURNING id") ? fk_one(pid) : fk_ok();
	}
	if (fk_has(sql, "SET outcome = 'ok'") ||
	    fk_has(sql, "SET outcome = 'failed'")) {
		/* the daemon's own step ends (rsql_nt_done, rsql_nt_failed) */
		snprintf(fakedb.nt.outcome, sizeof fakedb.nt.outcome, "%s",
		    fk_has(sql, "SET outcome = 'ok'") ? "ok" : "failed");
		return fk_ok();
	}
	if (fk_has(sql, "WITH p AS (SELECT $1::jsonb AS j)"))
		fatal("fakedb: lint facts are not modelled (set lint = off)");
	return fk_ok(); /* a migration's own statement */
}

void
fk_model_reset(void)
{
	fk_clear_rows(fakedb.rows, &fakedb.nrows);
	free(fk_expected);
	fk_expected = NULL;
	memset(&fakedb, 0, sizeof fakedb);
}
