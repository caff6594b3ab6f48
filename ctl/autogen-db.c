/* SPDX-License-Identifier: MIT */
/* autogen-db.c: blocking libpq for autogenerate: scratch databases (§2),
 * catalogs, applying SQL, running migrated --once, signals. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "autogen.h"
#include "split.h"
#include "xmalloc.h"

#define AG_PREFIX "migrated_ag_"
#define AG_OUTPUT_MAX (64 * 1024)	/* kept of migrated's output */
#define AG_SCHEMA_MAX (64u * 1024 * 1024)

struct ag_db {
	PGconn *conn;		/* the maintenance connection */
	char *url;		/* as given, or NULL: libpq defaults */
	char **made;		/* scratch databases of this process */
	size_t nmade;
};

/* ---- signals ------------------------------------------------------------ */

static volatile sig_atomic_t ag_sig;
static PGcancel *volatile ag_cancel;
static volatile pid_t ag_child;

static void
ag_on_signal(int sig)
{
	char buf[256];
	int saved = errno;

	ag_sig = sig;
	if (ag_cancel != NULL)
		(void)PQcancel(ag_cancel, buf, sizeof buf);
	/* not SIGTERM: that lets the running step finish for up to
	 * shutdown_timeout, and A is dropped anyway */
	if (ag_child > 0)
		(void)kill(ag_child, SIGKILL);
	errno = saved;
}

void
ag_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ag_on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

bool
ag_interrupted(void)
{
	return ag_sig != 0;
}

int
ag_signal_number(void)
{
	return ag_sig;
}

void
ag_signals_conn(PGconn *c)
{
	sigset_t all, old;
	PGcancel *prev;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	prev = ag_cancel;
	ag_cancel = c != NULL ? PQgetCancel(c) : NULL;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (prev != NULL)
		PQfreeCancel(prev);
}

/* ---- errors ------------------------------------------------------------- */

static int
ag_pq_fail(PGconn *c, const PGresult *res, struct merr *err,
    const char *what)
{
	const char *msg = res != NULL ? PQresultErrorMessage(res) :
	    PQerrorMessage(c);
	const char *f;
	size_t n = strlen(msg);

	while (n > 0 && msg[n - 1] == '\n')
		n--;
	if (ag_interrupted())
		merr_set(err, MERR_CANCELLED, "interrupted");
	else
		merr_set(err, MERR_MIGRATION_FAILED, "%s%s%.*s", what,
		    *what ? ": " : "", (int)n, msg);
	if (err != NULL && res != NULL) {
		if ((f = PQresultErrorField(res, PG_DIAG_SQLSTATE)) != NULL)
			err->sqlstate = xstrdup(f);
		if ((f = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION)))
			err->position = atoi(f);
	}
	return -EIO;
}

int
ag_exec(PGconn *c, const char *sql, struct merr *err)
{
	PGresult *res;
	int r = 0;

	if (ag_interrupted())
		return merr_set(err, MERR_CANCELLED, "interrupted"), -EINTR;
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		r = ag_pq_fail(c, res, err, "");
	PQclear(res);
	return r;
}

/* ---- connections -------------------------------------------------------- */

static PGconn *
ag_connect(const char *url, const char *dbname)
{
	const char *keys[4], *vals[4];
	int n = 0;

	if (url != NULL) {
		keys[n] = "dbname";
		vals[n++] = url;
	}
	if (dbname != NULL) {
		keys[n] = "dbname";
		vals[n++] = dbname;
	}
	keys[n] = "fallback_application_name";
	vals[n++] = "migratectl autogenerate";
	keys[n] = NULL;
	vals[n] = NULL;
	return PQconnectdbParams(keys, vals, 1);
}

int
ag_db_open(struct ag_db **out, const char *url, struct merr *err)
{
	struct ag_db *db = xcalloc(1, sizeof(*db));

	db->url = url != NULL ? xstrdup(url) : NULL;
	db->conn = ag_connect(url, NULL);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		ag_pq_fail(db->conn, NULL, err, "cannot connect to the dev "
		    "server");
		err->code = MERR_DB_UNAVAILABLE;
		ag_db_close(db);
		return -EIO;
	}
	*out = db;
	return 0;
}

void
ag_db_close(struct ag_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	ag_signals_conn(NULL);
	PQfinish(db->conn);
	for (i = 0; i < db->nmade; i++)
		free(db->made[i]);
	free(db->made);
	free(db->url);
	free(db);
}

int
ag_db_connect(struct ag_db *db, const char *name, PGconn **out,
    struct merr *err)
{
	PGconn *c = ag_connect(db->url, name);

	if (PQstatus(c) != CONNECTION_OK) {
		ag_pq_fail(c, NULL, err, name);
		PQfinish(c);
		return -EIO;
	}
	*out = c;
	return 0;
}

/* A conninfo value in single quotes. */
static void
ag_conninfo_value(FILE *f, const char *v)
{
	fputc('\'', f);
	for (; *v != '\0'; v++) {
		if (*v == '\'' || *v == '\\')
			fputc('\\', f);
		fputc(*v, f);
	}
	fputc('\'', f);
}

char *
ag_db_url(const struct ag_db *db, const char *name)
{
	PQconninfoOption *opts = PQconninfo(db->conn), *o;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL || opts == NULL)
		fatal("ag_db_url: out of memory");
	for (o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || *o->val == '\0' ||
		    strcmp(o->keyword, "password") == 0 ||
		    strcmp(o->keyword, "dbname") == 0 ||
		    strchr(o->dispchar, 'D') != NULL)
			continue;
		fprintf(f, "%s=", o->keyword);
		ag_conninfo_value(f, o->val);
		fputc(' ', f);
	}
	fprintf(f, "dbname=");
	ag_conninfo_value(f, name);
	fclose(f);
	PQconninfoFree(opts);
	return buf;
}

/* ---- scratch databases -------------------------------------------------- */

static char *
ag_quote_ident(PGconn *c, const char *s)
{
	char *q = PQescapeIdentifier(c, s, strlen(s)), *r;

	if (q == NULL)
		fatal("PQescapeIdentifier: %s", PQerrorMessage(c));
	r = xstrdup(q);
	PQfreemem(q);
	return r;
}

int
ag_scratch_create(struct ag_db *db, char tag, char **name, struct merr *err)
{
	unsigned rnd;
	char *n, *q, *sql;
	int r;

	if (getentropy(&rnd, sizeof rnd) < 0)
		rnd = (unsigned)getpid() ^ (unsigned)time(NULL);
	n = xasprintf(AG_PREFIX "%lld_%ld_%c_%04x", (long long)time(NULL),
	    (long)getpid(), tag, rnd & 0xffff);
	db->made = xreallocarray(db->made, db->nmade + 1, sizeof(char *));
	db->made[db->nmade++] = xstrdup(n);
	q = ag_quote_ident(db->conn, n);
	sql = xasprintf("CREATE DATABASE %s TEMPLATE template0", q);
	ag_signals_conn(db->conn);
	r = ag_exec(db->conn, sql, err);
	ag_signals_conn(NULL);
	free(sql);
	free(q);
	if (r < 0) {
		free(n);
		return r;
	}
	*name = n;
	return 0;
}

/* Send the DROP of name on c; the caller collects the result. */
static bool
ag_scratch_send_drop(PGconn *c, const char *name)
{
	char *q = ag_quote_ident(c, name);
	char *sql = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", q);
	bool ok = PQsendQuery(c, sql) == 1;

	free(sql);
	free(q);
	return ok;
}

static void
ag_drain(PGconn *c)
{
	PGresult *res;

	while ((res = PQgetResult(c)) != NULL)
		PQclear(res);
}

static void
ag_scratch_drop(struct ag_db *db, const char *name)
{
	if (ag_scratch_send_drop(db->conn, name))
		ag_drain(db->conn);
}

void
ag_scratch_drop_all(struct ag_db *db)
{
	size_t i;

	if (db == NULL)
		return;
	if (PQstatus(db->conn) != CONNECTION_OK)
		PQreset(db->conn);
	/* a cancel sent by a signal may still be on its way: settle it */
	PQclear(PQexec(db->conn, "SELECT 1"));
	i = 0;
	if (db->nmade >= 2) {
		/* two drops at once: each waits for its files, or with
		 * fsync on for a checkpoint */
		PGconn *c2 = ag_connect(db->url, NULL);

		if (PQstatus(c2) == CONNECTION_OK &&
		    ag_scratch_send_drop(db->conn, db->made[0]) &&
		    ag_scratch_send_drop(c2, db->made[1]))
			i = 2;
		ag_drain(db->conn);
		ag_drain(c2);
		PQfinish(c2);
	}
	for (; i < db->nmade; i++)
		ag_scratch_drop(db, db->made[i]);
}

/* "migrated_ag_<secs>_<pid>_<a|b>_<4 hex>": its time, or -1. */
static long long
ag_scratch_time(const char *s)
{
	const char *p = s + strlen(AG_PREFIX), *q;
	long long t = 0;
	size_t k;

	if (strncmp(s, AG_PREFIX, strlen(AG_PREFIX)) != 0)
		return -1;
	for (q = p; *q >= '0' && *q <= '9' && q - p < 19; q++)
		t = t * 10 + (*q - '0');
	if (q == p || *q++ != '_')
		return -1;
	for (p = q; *q >= '0' && *q <= '9' && q - p < 10; q++)
		;
	if (q == p || *q++ != '_' || (*q != 'a' && *q != 'b') ||
	    q[1] != '_')
		return -1;
	for (q += 2, k = 0; k < 4; k++, q++)
		if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f')))
			return -1;
	return *q == '\0' ? t : -1;
}

int
ag_scratch_sweep(struct ag_db *db, long max_age_s)
{
	PGresult *res;
	long long t, now = (long long)time(NULL);
	int i, n = 0;

	res = PQexecParams(db->conn, "SELECT datname FROM pg_database "
	    "WHERE starts_with(datname, $1) ORDER BY 1", 1, NULL,
	    (const char *const[]){ AG_PREFIX }, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return 0;
	}
	for (i = 0; i < PQntuples(res); i++) {
		t = ag_scratch_time(PQgetvalue(res, i, 0));
		if (t < 0 || now - t <= max_age_s)
			continue;
		ag_scratch_drop(db, PQgetvalue(res, i, 0));
		n++;
	}
	PQclear(res);
	return n;
}

/* ---- catalogs ----------------------------------------------------------- */

static bool ag_acls;

void
ag_catalog_acls(bool on)
{
	ag_acls = on;
}

/*
 * Send the whole read to c in pipeline mode (one round trip): BEGIN and
 * COMMIT only when c is not in a transaction already (a rename's).
 */
static int
ag_read_send(PGconn *c, const char *param, bool own, struct merr *err)
{
	const Oid types[1] = { CATALOG_PARAM_TYPE };
	const char *vals[1] = { param };
	size_t q;
	int ok = PQenterPipelineMode(c);

	if (own)
		ok = ok && PQsendQueryParams(c, catalog_begin_sql, 0, NULL,
		    NULL, NULL, NULL, 0);
	ok = ok && PQsendQueryParams(c, catalog_settings_sql, 0, NULL, NULL,
	    NULL, NULL, 0);
	for (q = 0; ok && catalog_queries[q].sql != NULL; q++)
		ok = PQsendQueryParams(c, catalog_queries[q].sql, 1, types,
		    vals, NULL, NULL, 0);
	ok = ok && PQsendQueryParams(c, catalog_deps_sql, 1, types, vals,
	    NULL, NULL, 0);
	if (own)
		ok = ok && PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL,
		    NULL, 0);
	ok = ok && PQpipelineSync(c);
	return ok ? 0 : ag_pq_fail(c, NULL, err, "catalog");
}

/* Collect what ag_read_send() sent, into cat; leaves pipeline mode. */
static int
ag_read_collect(PGconn *c, bool own, struct catalog *cat, struct merr *err)
{
	size_t nq = 0, k = 0, i;
	PGresult *res;
	int r = 0;
	ExecStatusType st;

	while (catalog_queries[nq].sql != NULL)
		nq++;
	for (;;) {
		if ((res = PQgetResult(c)) == NULL) {
			if (PQstatus(c) != CONNECTION_BAD)
				continue;	/* one statement's end */
			if (r == 0)
				r = ag_pq_fail(c, NULL, err, "catalog");
			break;
		}
		st = PQresultStatus(res);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		i = k++ - (own ? 1 : 0) - 1;	/* index among the queries */
		if (r == 0 && st != PGRES_COMMAND_OK &&
		    st != PGRES_TUPLES_OK)
			r = ag_pq_fail(c, st == PGRES_PIPELINE_ABORTED ? NULL :
			    res, err, "catalog");
		else if (r == 0 && st == PGRES_TUPLES_OK && i < nq)
			r = catalog_add_rows(cat, res, err);
		else if (r == 0 && st == PGRES_TUPLES_OK && i == nq)
			r = catalog_add_deps(cat, res, err);
		PQclear(res);
	}
	(void)PQexitPipelineMode(c);
	if (r < 0 && own && PQtransactionStatus(c) != PQTRANS_IDLE)
		MIG_IGNORE(ag_exec(c, "ROLLBACK", NULL));
	return r;
}

int
ag_read_start(PGconn *c, const char *const *exclude, struct ag_reading *rd,
    struct merr *err)
{
	char *param = catalog_text_array(exclude);
	int r;

	rd->c = c;
	rd->own = PQtransactionStatus(c) == PQTRANS_IDLE;
	r = ag_read_send(c, param, rd->own, err);
	rd->sent = r == 0;
	free(param);
	return r;
}

int
ag_read_finish(struct ag_reading *rd, struct catalog **out,
    struct merr *err)
{
	struct catalog *cat;
	int r;

	*out = NULL;
	if (!rd->sent)
		return -EIO;
	rd->sent = false;
	cat = catalog_new();
	ag_signals_conn(rd->c);
	r = ag_read_collect(rd->c, rd->own, cat, err);
	ag_signals_conn(NULL);
	if (r < 0) {
		catalog_free(cat);
		return r;
	}
	if (!ag_acls)	/* privileges: compared with --grants only */
		catalog_hide_attr(cat, "acl");
	catalog_finish(cat);
	*out = cat;
	return 0;
}

int
ag_read_catalogs(PGconn *const *cs, size_t n, const char *const *exclude,
    struct catalog **outs, struct merr *err)
{
	struct ag_reading rd[2];
	size_t i;
	int r = 0;

	if (n > 2)
		fatal("ag_read_catalogs: at most two connections");
	memset(rd, 0, sizeof rd);
	/* both backends work at once; we collect one after the other */
	for (i = 0; r == 0 && i < n; i++)
		r = ag_read_start(cs[i], exclude, &rd[i], err);
	for (i = 0; i < n; i++)
		if (ag_read_finish(&rd[i], &outs[i], r == 0 ? err : NULL) < 0)
			r = -EIO;
	if (r < 0)
		for (i = 0; i < n; i++) {
			catalog_free(outs[i]);
			outs[i] = NULL;
		}
	return r;
}

int
ag_read_catalog(PGconn *c, const char *const *exclude, struct catalog **out,
    struct merr *err)
{
	return ag_read_catalogs(&c, 1, exclude, out, err);
}

/* ---- the desired schema ------------------------------------------------- */

/* psql's \restrict lines (recent pg_dump) are not SQL: blank them. */
static void
ag_blank_restrict(char *text)
{
	char *line = text, *nl;

	for (; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (strncmp(line, "\\restrict ", 10) == 0 ||
		    strncmp(line, "\\unrestrict ", 12) == 0)
			memset(line, ' ', nl != NULL ? (size_t)(nl - line) :
			    strlen(line));
		if (nl == NULL)
			break;
	}
}

static int
ag_read_file(const char *path, char **text, size_t *len, struct merr *err)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	size_t n;

	if (f == NULL || fstat(fileno(f), &st) < 0) {
		merr_set(err, MERR_BAD_REQUEST, "%s: %s", path,
		    strerror(errno));
		if (f != NULL)
			fclose(f);
		return -ENOENT;
	}
	if ((size_t)st.st_size > AG_SCHEMA_MAX) {
		fclose(f);
		return merr_set(err, MERR_BAD_REQUEST, "%s: larger than %u "
		    "bytes", path, AG_SCHEMA_MAX);
	}
	*text = xmalloc((size_t)st.st_size + 1);
	n = fread(*text, 1, (size_t)st.st_size, f);
	(*text)[n] = '\0';
	*len = n;
	fclose(f);
	return 0;
}

int
ag_apply_sql(PGconn *c, const char *file, char *text, size_t len,
    struct merr *err)
{
	struct split_list stmts = { 0 };
	struct mdiag_list diags = { 0 };
	char *msg;
	size_t i;
	int r = 0;

	if (split_sql(file, text, len, 1, &stmts, &diags) < 0) {
		msg = diags.n > 0 ? mdiag_format(&diags.v[0]) : xstrdup(file);
		merr_set(err, MERR_BAD_REQUEST, "%s", msg);
		free(msg);
		r = -EINVAL;
	}
	ag_signals_conn(c);
	for (i = 0; r == 0 && i < stmts.n; i++) {
		if ((r = ag_exec(c, stmts.v[i].sql, err)) < 0 && err != NULL) {
			msg = err->message;
			err->message = xasprintf("%s:%d: %s", file,
			    split_pos_to_line(stmts.v[i].sql, stmts.v[i].len,
			    stmts.v[i].line, err->position), msg);
			free(msg);
			err->file = xstrdup(file);
			err->line = stmts.v[i].line;
		}
	}
	ag_signals_conn(NULL);
	split_list_clear(&stmts);
	mdiag_clear(&diags);
	return r;
}

/*
 * The statements of text joined into one simple-protocol query, BEGIN
 * first and COMMIT last: one round trip for the whole file. Each ends on
 * a line of its own, so a final -- comment cannot swallow the ';'.
 * NULL when text does not split (ag_apply_sql() reports it).
 */
static char *
ag_batch(const char *file, const char *text, size_t len)
{
	struct split_list stmts = { 0 };
	struct mdiag_list diags = { 0 };
	char *buf = NULL;
	size_t i, blen = 0;
	FILE *f;

	if (split_sql(file, text, len, 1, &stmts, &diags) < 0)
		goto out;
	if ((f = open_memstream(&buf, &blen)) == NULL)
		fatal("ag_batch: out of memory");
	fputs("BEGIN;\n", f);
	for (i = 0; i < stmts.n; i++) {
		fwrite(stmts.v[i].sql, 1, stmts.v[i].len, f);
		fputs("\n;\n", f);
	}
	fputs("COMMIT;\n", f);
	if (fclose(f) != 0)
		fatal("ag_batch: out of memory");
out:
	split_list_clear(&stmts);
	mdiag_clear(&diags);
	return buf;
}

/*
 * One transaction per file, sent in one round trip: thousands of
 * statements commit once. When that fails, the file runs again statement
 * by statement for the failing one's FILE:LINE: in a transaction, or
 * outside one when a statement cannot run in a transaction block (CREATE
 * INDEX CONCURRENTLY) or uses an enum label it adds, as psql would run it.
 */
static int
ag_apply_file(PGconn *c, const char *path, struct merr *err)
{
	char *text = NULL, *batch;
	size_t len = 0;
	struct merr e1 = { 0 };
	bool alone;
	int r;

	if ((r = ag_read_file(path, &text, &len, err)) < 0)
		return r;
	ag_blank_restrict(text);
	if ((batch = ag_batch(path, text, len)) != NULL) {
		ag_signals_conn(c);
		r = ag_exec(c, batch, &e1);
		ag_signals_conn(NULL);
		free(batch);
		if (r == 0)
			goto out;
		if (ag_interrupted()) {
			merr_set(err, MERR_CANCELLED, "interrupted");
			goto out;
		}
		if (PQtransactionStatus(c) != PQTRANS_IDLE)
			MIG_IGNORE(ag_exec(c, "ROLLBACK", NULL));
	}
	alone = e1.sqlstate != NULL && (strcmp(e1.sqlstate, "25001") == 0 ||
	    strcmp(e1.sqlstate, "55P04") == 0);
	merr_clear(&e1);
	if (!alone) {
		if ((r = ag_exec(c, "BEGIN", err)) == 0)
			r = ag_apply_sql(c, path, text, len, &e1);
		if (r == 0 && (r = ag_exec(c, "COMMIT", &e1)) == 0)
			goto out;
		MIG_IGNORE(ag_exec(c, "ROLLBACK", NULL));
		alone = e1.sqlstate != NULL && (strcmp(e1.sqlstate,
		    "25001") == 0 || strcmp(e1.sqlstate, "55P04") == 0);
		if (!alone) {
			if (err != NULL)
				merr_move(err, &e1);
			goto out;
		}
	}
	r = ag_apply_sql(c, path, text, len, err);
out:
	merr_clear(&e1);
	free(text);
	return r;
}

static int
ag_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
ag_apply_schema(PGconn *c, const char *path, struct merr *err)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL, *full;
	size_t n = 0, i, l;
	DIR *d;
	int r = 0;

	if (stat(path, &st) < 0)
		return merr_set(err, MERR_BAD_REQUEST, "desired schema %s: %s",
		    path, strerror(errno)), -ENOENT;
	if (!S_ISDIR(st.st_mode))
		return ag_apply_file(c, path, err);
	if ((d = opendir(path)) == NULL)
		return merr_set(err, MERR_BAD_REQUEST, "%s: %s", path,
		    strerror(errno)), -errno;
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 5 ||
		    strcmp(de->d_name + l - 4, ".sql") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(char *));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(char *), ag_name_cmp);
	for (i = 0; i < n; i++) {
		full = xasprintf("%s/%s", path, names[i]);
		if (r == 0)
			r = ag_apply_file(c, full, err);
		free(full);
		free(names[i]);
	}
	free(names);
	return r;
}

/* ---- migrated --once ---------------------------------------------------- */

/* The daemon next to migratectl (build tree, install), else on PATH. */
static char *
ag_migrated_path(void)
{
	const char *env = getenv("MIGRATED_BIN");
	char self[PATH_MAX], *slash, *cand;
	static const char *const rel[] = { "../daemon/migrated",
		"../../sbin/migrated", "../sbin/migrated", "migrated" };
	ssize_t n;
	size_t k;

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL)
			*slash = '\0';
		for (k = 0; k < ARRAY_LEN(rel); k++) {
			cand = xasprintf("%s/%s", self, rel[k]);
			if (access(cand, X_OK) == 0)
				return cand;
			free(cand);
		}
	}
	cand = xasprintf("%s/migrated", SBINDIR);
	if (access(cand, X_OK) == 0)
		return cand;
	free(cand);
	return xstrdup("migrated");
}

static void
ag_child_exec(const char *bin, const char *url, const char *dir, int out)
{
	(void)dup2(out, STDOUT_FILENO);
	(void)dup2(out, STDERR_FILENO);
	(void)unsetenv("MIGRATED_SOCKET");
	execlp(bin, bin, "--once", "-d", url, "-m", dir, (char *)NULL);
	dprintf(out, "cannot run %s: %s\n", bin, strerror(errno));
	_exit(127);
}

/* Start migrated --once on url; its output comes back on *outfd. */
int
ag_migrated_start(const char *url, const char *dir, struct ag_child *ch,
    struct merr *err)
{
	int fds[2];
	pid_t pid;

	memset(ch, 0, sizeof(*ch));
	ch->bin = ag_migrated_path();
	if (pipe2(fds, O_CLOEXEC) < 0)
		return merr_set(err, MERR_INTERNAL, "pipe: %s",
		    strerror(errno)), -errno;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return merr_set(err, MERR_INTERNAL, "fork: %s",
		    strerror(errno)), -errno;
	}
	if (pid == 0)
		ag_child_exec(ch->bin, url, dir, fds[1]);
	ag_child = pid;
	ch->pid = pid;
	ch->fd = fds[0];
	close(fds[1]);
	return 0;
}

/* Collect its output (bounded) and status: 0, or -EIO with err. */
int
ag_migrated_wait(struct ag_child *ch, struct merr *err)
{
	char buf[4096], *out = xstrdup("");
	size_t used = 0;
	int status = 0, r = 0;
	ssize_t n;

	while ((n = read(ch->fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (used + (size_t)n < AG_OUTPUT_MAX) {
			out = xreallocarray(out, used + (size_t)n + 1, 1);
			memcpy(out + used, buf, (size_t)n);
			out[used += (size_t)n] = '\0';
		}
	}
	close(ch->fd);
	while (waitpid(ch->pid, &status, 0) < 0 && errno == EINTR)
		;
	ag_child = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		merr_set(err, ag_interrupted() ? MERR_CANCELLED :
		    MERR_MIGRATION_FAILED, "replaying the migrations with %s "
		    "--once failed (%s %d):\n%s", ch->bin, WIFEXITED(status) ?
		    "exit" : "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
		    WTERMSIG(status), out);
		r = -EIO;
	}
	free(ch->bin);
	free(out);
	memset(ch, 0, sizeof(*ch));
	return r;
}
