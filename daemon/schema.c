/* SPDX-License-Identifier: MIT */
/* schema.c: schema drift (SPEC §8, doc/autogenerate.md §9): the leader
 * records a fingerprint of every schema object after each plan; the
 * periodic check and verify --schema compare the live catalog with it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "daemon.h"
#include "log.h"

#define SCHEMA_TABLE "migrated_schema"
#define SCHEMA_DRIFT_MAX 100	/* objects named in status; then a count */

struct schema_waiter {
	void (*fn)(void *arg, bool ok);
	void *arg;
	struct schema_waiter *next;
};

static struct {
	struct event *ev;	/* periodic check */
	bool busy;		/* a read in flight */
	bool record;		/* the read in flight records */
	bool record_again;	/* a record was asked while busy */
	bool check_again;
	bool warned;		/* the table cannot be made: said once */
	struct schema_waiter *waiters;
	char *exclude;		/* text[] of the state tables */
	char *tq;		/* the table, quoted */
	struct catalog *cat;	/* the live catalog being compared */
} S;

static void schema_read(bool record);

/* {schema,version_table,schema,history_table,schema,migrated_schema} */
static char *
schema_exclude(void)
{
	const char *v[] = { D->cfg.version_table_schema, D->cfg.version_table,
		D->cfg.version_table_schema, D->cfg.history_table,
		D->cfg.version_table_schema, SCHEMA_TABLE, NULL };

	return catalog_text_array(v);
}

static void
schema_wake(bool ok)
{
	struct schema_waiter *w = S.waiters, *next;

	S.waiters = NULL;
	for (; w != NULL; w = next) {
		next = w->next;
		w->fn(w->arg, ok);
		free(w);
	}
}

/* The current version rows as one string: the reference is for them. */
static char *
schema_versions(void)
{
	char *buf = NULL;
	size_t len, i;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream failed");
	for (i = 0; i < D->st.nrows; i++)
		fprintf(f, "%s%s", i ? "," : "", D->st.rows[i]);
	fclose(f);
	return buf;
}

static void
schema_set(json_t *drift, const char *note)
{
	json_decref(D->st.schema_drift);
	D->st.schema_drift = drift != NULL ? drift : json_null();
	free(D->st.schema_note);
	D->st.schema_note = note != NULL ? xstrdup(note) : NULL;
	iso_time(D->st.schema_as_of, sizeof D->st.schema_as_of);
	daemon_status_changed();
}

static void
schema_on_rollback(struct db *db, const struct db_result *r, void *arg)
{
	(void)db;
	(void)r;
	(void)arg;
}

/*
 * A failed pipeline skips the rest of its statements, its COMMIT too:
 * end the transaction, or the read session would stay in it.
 */
static void
schema_rollback(void)
{
	if (D->readdb != NULL && db_is_up(D->readdb))
		MIG_IGNORE(db_query1(D->readdb, "ROLLBACK", 0, NULL,
		    schema_on_rollback, NULL) < 0);
}

static void
schema_done(bool ok)
{
	bool again = S.record_again, check = S.check_again;

	catalog_free(S.cat);
	S.cat = NULL;
	S.busy = false;
	S.record_again = S.check_again = false;
	schema_wake(ok);
	if (again || check)
		schema_read(again);
}

/* ---- record ------------------------------------------------------------- */

char *
schema_table_sql(void)
{
	return xasprintf("CREATE TABLE IF NOT EXISTS %s.%s (object text "
	    "PRIMARY KEY, fingerprint text NOT NULL, versions text NOT NULL, "
	    "recorded_at timestamptz NOT NULL DEFAULT now())", D->schema_q,
	    SCHEMA_TABLE);
}

static void
schema_on_written(struct db *db, const struct db_result *r, void *arg)
{
	(void)db;
	(void)arg;
	if (r->failed >= 0 || r->conn_lost) {
		log_warn("schema drift: cannot record the fingerprints in %s: "
		    "%s, ignoring", S.tq, r->err != NULL ?
		    PQresultErrorField(r->err, PG_DIAG_MESSAGE_PRIMARY) :
		    r->conn_error);
		if (!r->conn_lost)
			schema_rollback();
		schema_done(false);
		return;
	}
	log_info("schema drift: recorded %zu object fingerprints", S.cat->n);
	schema_set(json_array(), NULL);
	schema_done(true);
}

/* Replace the rows of the table with the live catalog's fingerprints. */
static void
schema_write(bool create)
{
	static const char ins_sql[] = "INSERT INTO %s (object, fingerprint, "
	    "versions) SELECT o, f, $3::text FROM "
	    "unnest($1::text[], $2::text[]) AS x(o, f)";
	FILE *fo, *ff;
	char *objs = NULL, *fps = NULL, *versions = schema_versions();
	char *create_sql, *del_sql, *insert_sql, fp[65];
	size_t lo, lf, i;
	struct db_query q[5];
	size_t n = 0;

	if ((fo = open_memstream(&objs, &lo)) == NULL ||
	    (ff = open_memstream(&fps, &lf)) == NULL)
		fatal("open_memstream failed");
	fputc('{', fo);
	fputc('{', ff);
	for (i = 0; i < S.cat->n; i++) {
		const struct cat_obj *o = &S.cat->objs[i];
		const char *p;

		cat_fingerprint(o, fp);
		fputs(i ? ",\"" : "\"", fo);
		for (p = o->kind; *p != '\0'; p++)
			fputc(*p, fo);
		fputc(' ', fo);
		for (p = o->id; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', fo);
			fputc(*p, fo);
		}
		fputc('"', fo);
		fprintf(ff, "%s%s", i ? "," : "", fp);
	}
	fputc('}', fo);
	fputc('}', ff);
	fclose(fo);
	fclose(ff);
	create_sql = schema_table_sql();
	del_sql = xasprintf("DELETE FROM %s", S.tq);
	insert_sql = xasprintf(ins_sql, S.tq);
	q[n++] = (struct db_query){ "BEGIN", 0, NULL };
	if (create)
		q[n++] = (struct db_query){ create_sql, 0, NULL };
	q[n++] = (struct db_query){ del_sql, 0, NULL };
	q[n++] = (struct db_query){ insert_sql, 3,
	    (const char *const[]){ objs, fps, versions } };
	q[n++] = (struct db_query){ "COMMIT", 0, NULL };
	if (db_batch(D->readdb, true, n, q, schema_on_written, NULL) < 0)
		schema_done(false);
	free(create_sql);
	free(del_sql);
	free(insert_sql);
	free(objs);
	free(fps);
	free(versions);
}

/* ---- check -------------------------------------------------------------- */

static int
schema_key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
schema_add(json_t *drift, size_t *n, const char *object, const char *change)
{
	if ((*n)++ < SCHEMA_DRIFT_MAX)
		json_array_append_new(drift, json_pack("{s:s, s:s}", "object",
		    object, "change", change));
}

/* Compare the live catalog with the recorded rows (object, fingerprint). */
static void
schema_compare(const PGresult *ref)
{
	size_t n = S.cat->n, i = 0, nd = 0;
	char **keys = xcalloc(n ? n : 1, sizeof(char *)), fp[65];
	char **fps = xcalloc(n ? n : 1, sizeof(char *));
	json_t *drift = json_array();
	int j = 0, nr = PQntuples(ref), c;
	char note[64];

	for (i = 0; i < n; i++) {
		keys[i] = xasprintf("%s %s", S.cat->objs[i].kind,
		    S.cat->objs[i].id);
	}
	/* keys sorted byte-wise, like the rows (ORDER BY COLLATE "C") */
	for (i = 0; i < n; i++) {
		cat_fingerprint(&S.cat->objs[i], fp);
		fps[i] = xasprintf("%s\t%s", keys[i], fp);
	}
	qsort(fps, n, sizeof(char *), schema_key_cmp);
	for (i = 0; i < n || j < nr;) {
		const char *live = i < n ? fps[i] : NULL;
		size_t kl = live != NULL ? (size_t)(strchr(live, '\t') - live) :
		    0;
		const char *rec = j < nr ? PQgetvalue(ref, j, 0) : NULL;

		if (live == NULL)
			c = 1;
		else if (rec == NULL)
			c = -1;
		else {
			c = strncmp(live, rec, kl);
			if (c == 0 && rec[kl] != '\0')
				c = -1;
		}
		if (c < 0) {
			char *k = xstrndup(live, kl);

			schema_add(drift, &nd, k, "added");
			free(k);
			i++;
		} else if (c > 0) {
			schema_add(drift, &nd, rec, "removed");
			j++;
		} else {
			if (strcmp(live + kl + 1, PQgetvalue(ref, j, 1)) != 0)
				schema_add(drift, &nd, rec, "changed");
			i++;
			j++;
		}
	}
	if (nd > SCHEMA_DRIFT_MAX) {
		snprintf(note, sizeof note, "%zu more objects differ",
		    nd - SCHEMA_DRIFT_MAX);
		schema_set(drift, note);
	} else
		schema_set(drift, NULL);
	if (nd > 0)
		log_warn("schema drift: %zu object(s) changed outside "
		    "migrations", nd);
	for (i = 0; i < n; i++) {
		free(keys[i]);
		free(fps[i]);
	}
	free(keys);
	free(fps);
}

static void
schema_on_reference(struct db *db, const struct db_result *r, void *arg)
{
	char *versions;

	(void)db;
	(void)arg;
	if (r->failed >= 0 || r->conn_lost || r->res[0] == NULL) {
		schema_done(false);
		return;
	}
	versions = schema_versions();
	if (PQntuples(r->res[0]) == 0 ||
	    strcmp(PQgetvalue(r->res[0], 0, 2), versions) != 0) {
		free(versions);
		/* recorded for other version rows: a new reference */
		if (D->role == ROLE_LEADER && !runner_busy()) {
			schema_write(false);
			return;
		}
		schema_set(json_null(), "no fingerprints recorded for the "
		    "current version rows yet");
		schema_done(true);
		return;
	}
	free(versions);
	schema_compare(r->res[0]);
	schema_done(true);
}

/* ---- the catalog read ---------------------------------------------------- */

/* After the catalog: the table's existence and our rights decide what next. */
static void
schema_next(const PGresult *t)
{
	bool exists = *PQgetvalue(t, 0, 0) == 't';
	bool can_create = *PQgetvalue(t, 0, 1) == 't';
	bool can_write = *PQgetvalue(t, 0, 2) == 't';
	char *sql;

	if (S.record || (!exists && D->role == ROLE_LEADER)) {
		if ((exists && can_write) || (!exists && can_create)) {
			schema_write(!exists);
			return;
		}
		if (!S.warned)
			log_warn("schema drift: cannot %s %s (role %s lacks "
			    "the privilege), ignoring: create it with "
			    "CREATE TABLE %s (object text PRIMARY KEY, "
			    "fingerprint text NOT NULL, versions text NOT "
			    "NULL, recorded_at timestamptz NOT NULL DEFAULT "
			    "now()) and grant SELECT, INSERT, DELETE on it",
			    exists ? "write" : "create", S.tq,
			    PQgetvalue(t, 0, 3), S.tq);
		S.warned = true;
	}
	if (!exists) {
		schema_set(json_null(), "no fingerprints recorded yet");
		schema_done(true);
		return;
	}
	sql = xasprintf("SELECT object, fingerprint, versions FROM %s ORDER "
	    "BY object COLLATE \"C\"", S.tq);
	if (db_query1(D->readdb, sql, 0, NULL, schema_on_reference, NULL) < 0)
		schema_done(false);
	free(sql);
}

static void
schema_on_catalog(struct db *db, const struct db_result *r, void *arg)
{
	struct merr err = { 0 };
	/* BEGIN, settings, the queries, deps (nq), the table, COMMIT */
	size_t k, nq = r->n - 3;
	int rc = 0;

	(void)db;
	(void)arg;
	if (r->failed >= 0 || r->conn_lost) {
		log_warn("schema drift: cannot read the catalog (statement "
		    "%zd): %s, ignoring", r->failed, r->err != NULL ?
		    PQresultErrorField(r->err, PG_DIAG_MESSAGE_PRIMARY) :
		    r->conn_error);
		if (!r->conn_lost)
			schema_rollback();
		schema_done(false);
		return;
	}
	S.cat = catalog_new();
	for (k = 2; rc == 0 && k < nq; k++)
		rc = catalog_add_rows(S.cat, r->res[k], &err);
	if (rc == 0)
		rc = catalog_add_deps(S.cat, r->res[nq], &err);
	if (rc < 0) {
		log_warn("schema drift: %s, ignoring", err.message);
		merr_clear(&err);
		schema_done(false);
		return;
	}
	catalog_finish(S.cat);
	schema_next(r->res[nq + 1]);
}

static void
schema_read(bool record)
{
	static const char exists_sql[] = "SELECT EXISTS (SELECT 1 FROM "
	    "pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = "
	    "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2), "
	    "COALESCE((SELECT pg_catalog.has_schema_privilege(n.oid, 'CREATE') "
	    "FROM pg_catalog.pg_namespace n WHERE n.nspname = $1), false), "
	    "COALESCE((SELECT pg_catalog.has_table_privilege(c.oid, "
	    "'INSERT, DELETE') FROM pg_catalog.pg_class c JOIN "
	    "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
	    "n.nspname = $1 AND c.relname = $2), false), current_user";
	const char *ex[1] = { S.exclude };
	const char *names[2] = { D->cfg.version_table_schema, SCHEMA_TABLE };
	struct db_query q[32];
	size_t n = 0, k;

	if (S.busy) {
		S.record_again |= record;
		S.check_again |= !record;
		return;
	}
	if (D->readdb == NULL || !db_is_up(D->readdb)) {
		schema_wake(false);
		return;
	}
	q[n++] = (struct db_query){ catalog_begin_sql, 0, NULL };
	q[n++] = (struct db_query){ catalog_settings_sql, 0, NULL };
	for (k = 0; catalog_queries[k].sql != NULL && n < ARRAY_LEN(q) - 3;
	    k++)
		q[n++] = (struct db_query){ catalog_queries[k].sql, 1, ex };
	q[n++] = (struct db_query){ catalog_deps_sql, 0, NULL };
	q[n++] = (struct db_query){ exists_sql, 2, names };
	q[n++] = (struct db_query){ "COMMIT", 0, NULL };
	S.busy = true;
	S.record = record;
	if (db_batch(D->readdb, true, n, q, schema_on_catalog, NULL) < 0)
		schema_done(false);
}

/* ---- the API ------------------------------------------------------------ */

/* Not for --once: it exits at once, and a scratch replay needs no record. */
void
schema_record(void)
{
	if (D->role == ROLE_LEADER && !D->once && S.exclude != NULL)
		schema_read(true);
}

void
schema_check_then(void (*fn)(void *, bool), void *arg)
{
	struct schema_waiter *w = xcalloc(1, sizeof(*w));

	w->fn = fn;
	w->arg = arg;
	w->next = S.waiters;
	S.waiters = w;
	schema_read(false);
}

void
schema_forget(void *arg)
{
	struct schema_waiter **pw = &S.waiters, *w;

	while ((w = *pw) != NULL) {
		if (w->arg == arg) {
			*pw = w->next;
			free(w);
		} else
			pw = &w->next;
	}
}

static void
schema_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv;

	(void)fd;
	(void)what;
	(void)arg;
	if (D->st.read && !runner_busy())
		schema_read(false);
	tv.tv_sec = D->cfg.schema_check_interval_ms / 1000;
	tv.tv_usec = (D->cfg.schema_check_interval_ms % 1000) * 1000;
	evtimer_add(S.ev, &tv);
}

void
schema_start(void)
{
	struct timeval tv;

	S.exclude = schema_exclude();
	S.tq = xasprintf("%s.%s", D->schema_q, SCHEMA_TABLE);
	D->st.schema_drift = json_null();
	if (D->cfg.schema_check_interval_ms <= 0 || D->once)
		return;
	S.ev = evtimer_new(D->base, schema_on_timer, NULL);
	/* a first look soon after start, then every interval */
	tv.tv_sec = 1;
	tv.tv_usec = 0;
	evtimer_add(S.ev, &tv);
}

void
schema_stop(void)
{
	if (S.ev != NULL)
		event_free(S.ev);
	S.ev = NULL;
	schema_wake(false);
	catalog_free(S.cat);
	S.cat = NULL;
	free(S.exclude);
	free(S.tq);
	S.exclude = S.tq = NULL;
	json_decref(D->st.schema_drift);
	D->st.schema_drift = NULL;
	free(D->st.schema_note);
	D->st.schema_note = NULL;
}
