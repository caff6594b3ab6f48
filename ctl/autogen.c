/* SPDX-License-Identifier: MIT */
/* autogen.c: migratectl diff and revision --autogenerate. */
#include "config.h"

#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "autogen.h"
#include "client.h"
#include "ctl.h"
#include "migfile.h"
#include "output.h"
#include "revgraph.h"
#include "xmalloc.h"

#define AG_SWEEP_AGE 3600	/* leftovers older than this are dropped */

/*
 * The state tables of the replay (migrated --once -c /dev/null: the
 * defaults), as schema and table name pairs.
 */
static const char *const ag_exclude[] = { "public", "alembic_version",
	"public", "migrated_history", "public", "migrated_schema", NULL };

static const char *const ag_phase_note[] = { " (enum labels)", "",
	" (online steps)", " (finish online steps)" };

struct ag_run {
	const struct ctl_args *a;
	bool write;
	const char *dir;
	char *schema;
	struct ag_db *db;
	char *name_a, *name_b;
	PGconn *ca, *cb;
	struct catalog *a0, *a1, *b;
	struct ag_opts opts;
	struct ag_plan plan;
	struct ag_rev revs[AG_NPHASES];
	size_t nrevs;
	json_t *heads;
	struct ag_proof proof;
	bool proved;
};

/* MIGRATECTL_TIMING=1: the time of each stage on stderr (bench/). */
void
ag_tick(const char *what)
{
	static struct timespec last;
	static int on = -1;
	struct timespec now;

	if (on < 0)
		on = getenv("MIGRATECTL_TIMING") != NULL;
	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (what != NULL && last.tv_sec != 0)
		fprintf(stderr, "timing: %-28s %8.1f ms\n", what,
		    (double)(now.tv_sec - last.tv_sec) * 1e3 +
		    (double)(now.tv_nsec - last.tv_nsec) / 1e6);
	last = now;
}

/* ---- arguments ---------------------------------------------------------- */

static const char *const ag_rename_kinds[] = { "schema", "table", "column",
	"view", "matview", "index", "sequence", "constraint", "enum", "domain",
	"composite", "trigger", "policy", "function", "procedure" };

static enum ctl_exit
ag_parse_renames(const struct ctl_args *a, struct ag_opts *o)
{
	const char *s, *colon, *eq;
	size_t i, k;

	o->renames = xcalloc(a->nrenames ? a->nrenames : 1,
	    sizeof(*o->renames));
	for (i = 0; i < a->nrenames; i++) {
		s = a->renames[i];
		colon = strchr(s, ':');
		eq = colon != NULL ? strchr(colon, '=') : NULL;
		if (colon == NULL || eq == NULL || eq == colon + 1 ||
		    eq[1] == '\0')
			return client_fail(a, CTL_USAGE, "bad_request",
			    "--rename %s: expected KIND:OLD=NEW", s);
		for (k = 0; k < ARRAY_LEN(ag_rename_kinds); k++)
			if (strlen(ag_rename_kinds[k]) == (size_t)(colon - s) &&
			    !strncmp(s, ag_rename_kinds[k],
			    (size_t)(colon - s)))
				break;
		if (k == ARRAY_LEN(ag_rename_kinds))
			return client_fail(a, CTL_USAGE, "bad_request",
			    "--rename %s: unknown kind", s);
		o->renames[i].kind = xstrndup(s, (size_t)(colon - s));
		o->renames[i].old_id = xstrndup(colon + 1,
		    (size_t)(eq - colon - 1));
		o->renames[i].new_name = xstrdup(eq + 1);
		o->nrenames++;
	}
	return CTL_OK;
}

static bool
ag_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * --schema, else schema_path of -c FILE, else schema.sql or schema/ next to
 * the migrations directory.
 */
static enum ctl_exit
ag_schema_path(struct ag_run *r)
{
	char *parent = xstrdup(r->dir), *slash, *cand;

	if (r->a->schema != NULL || r->a->conf_schema != NULL) {
		r->schema = xstrdup(r->a->schema != NULL ? r->a->schema :
		    r->a->conf_schema);
		free(parent);
		return CTL_OK;
	}
	slash = strrchr(parent, '/');
	if (slash != NULL && slash[1] == '\0') {
		*slash = '\0';
		slash = strrchr(parent, '/');
	}
	if (slash != NULL)
		*slash = '\0';
	else
		strcpy(parent, ".");
	cand = xasprintf("%s/schema.sql", parent);
	if (!ag_exists(cand)) {
		free(cand);
		cand = xasprintf("%s/schema", parent);
	}
	free(parent);
	if (!ag_exists(cand)) {
		client_fail(r->a, CTL_USAGE, "bad_request", "no desired "
		    "schema: %s.sql and %s do not exist; give --schema PATH",
		    cand, cand);
		free(cand);
		return CTL_USAGE;
	}
	r->schema = cand;
	return CTL_OK;
}

static const char *
ag_dev_url(const struct ctl_args *a)
{
	const char *env;

	if (a->dev_url != NULL)
		return a->dev_url;
	if ((env = getenv("MIGRATED_DEV_URL")) != NULL && *env != '\0')
		return env;
	if ((env = getenv("DATABASE_URL")) != NULL && *env != '\0')
		return env;
	return a->conf_url;	/* -c FILE's database_url, or NULL */
}

/* ---- renames (§5) ------------------------------------------------------- */

static bool
ag_plain_ident(const char *s)
{
	const char *p;

	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_'))
			return false;
	return true;
}

static const struct cat_obj *
ag_rename_find(const struct catalog *c, const struct ag_rename *rn)
{
	const struct cat_obj *o;
	char *id;
	const char *kind = rn->kind;

	if (strcmp(kind, "enum") && strcmp(kind, "domain") &&
	    strcmp(kind, "composite") && strcmp(kind, "function") &&
	    strcmp(kind, "procedure") && catalog_find(c, kind,
	    rn->old_id) == NULL) {
		id = xasprintf("public.%s", rn->old_id);
		o = catalog_find(c, kind, id);
		free(id);
		return o;
	}
	if ((o = catalog_find(c, kind, rn->old_id)) != NULL)
		return o;
	id = xasprintf("public.%s", rn->old_id);
	o = catalog_find(c, kind, id);
	free(id);
	return o;
}

/* ALTER ... RENAME for object o to new name nn (quoted): caller frees. */
static char *
ag_rename_sql(const struct cat_obj *o, const char *nn)
{
	static const struct {
		const char *kind, *kw;
	} t[] = {
		{ "schema", "SCHEMA" },
		{ "table", "TABLE" },
		{ "view", "VIEW" },
		{ "matview", "MATERIALIZED VIEW" },
		{ "index", "INDEX" },
		{ "sequence", "SEQUENCE" },
		{ "enum", "TYPE" },
		{ "composite", "TYPE" },
		{ "domain", "DOMAIN" },
		{ "function", "FUNCTION" },
		{ "procedure", "PROCEDURE" },
	};
	size_t k;

	if (strcmp(o->kind, "column") == 0)
		return xasprintf("ALTER TABLE %s RENAME COLUMN %s TO %s",
		    o->parent, ag_name(o), nn);
	if (strcmp(o->kind, "constraint") == 0)
		return xasprintf("ALTER TABLE %s RENAME CONSTRAINT %s TO %s",
		    o->parent, ag_name(o), nn);
	if (strcmp(o->kind, "trigger") == 0 || strcmp(o->kind, "policy") == 0)
		return xasprintf("ALTER %s %s ON %s RENAME TO %s",
		    strcmp(o->kind, "trigger") == 0 ? "TRIGGER" : "POLICY",
		    ag_name(o), o->parent, nn);
	for (k = 0; k < ARRAY_LEN(t); k++)
		if (strcmp(o->kind, t[k].kind) == 0)
			return xasprintf("ALTER %s %s RENAME TO %s", t[k].kw,
			    o->id, nn);
	return NULL;
}

/*
 * Split o's identity around its own name: "public." + "users" + "", or
 * "public.t." + "c" + "", or "public." + "f" + "(integer)".
 */
static void
ag_rename_parts(const struct cat_obj *o, char **prefix, char **bare,
    const char **suffix)
{
	const char *id = o->id, *end, *p, *last = id;
	bool q = false;

	if (strcmp(o->kind, "column") == 0 || strcmp(o->kind, "constraint") ==
	    0 || strcmp(o->kind, "trigger") == 0 ||
	    strcmp(o->kind, "policy") == 0) {
		*prefix = xasprintf("%s.", o->parent);
		*bare = xstrdup(ag_name(o));
		*suffix = "";
		return;
	}
	end = strchr(id, '(') != NULL ? strchr(id, '(') : id + strlen(id);
	for (p = id; p < end; p++) {
		if (*p == '"')
			q = !q;
		else if (*p == '.' && !q)
			last = p + 1;
	}
	*prefix = xstrndup(id, (size_t)(last - id));
	*bare = xstrndup(last, (size_t)(end - last));
	*suffix = end;
}

static enum ctl_exit
ag_apply_renames(struct ag_run *r, char ***ups, char ***downs)
{
	const struct ag_opts *op = &r->opts;
	const struct cat_obj *o;
	struct cat_obj moved;
	struct merr err = { 0 };
	char *nn, *up, *down, *nid, *prefix, *bare;
	const char *suffix;
	size_t i;

	*ups = xcalloc(op->nrenames + 1, sizeof(char *));
	*downs = xcalloc(op->nrenames + 1, sizeof(char *));
	for (i = 0; i < op->nrenames; i++) {
		const struct ag_rename *rn = &op->renames[i];

		if ((o = ag_rename_find(r->a0, rn)) == NULL)
			return client_fail(r->a, CTL_USAGE, "bad_request",
			    "--rename %s:%s=%s: no %s %s in the migrations' "
			    "schema", rn->kind, rn->old_id, rn->new_name,
			    rn->kind, rn->old_id);
		if (ag_plain_ident(rn->new_name))
			nn = xstrdup(rn->new_name);
		else {
			char *q = PQescapeIdentifier(r->ca, rn->new_name,
			    strlen(rn->new_name));

			if (q == NULL)
				fatal("PQescapeIdentifier failed");
			nn = xstrdup(q);
			PQfreemem(q);
		}
		up = ag_rename_sql(o, nn);
		ag_rename_parts(o, &prefix, &bare, &suffix);
		nid = xasprintf("%s%s%s", prefix, nn, suffix);
		moved = *o;
		moved.id = nid;
		down = ag_rename_sql(&moved, bare);
		free(nid);
		free(prefix);
		free(bare);
		free(nn);
		(*ups)[i] = up;
		(*downs)[i] = down;
		if (up == NULL || ag_exec(r->ca, up, &err) < 0) {
			client_fail(r->a, CTL_USAGE, "bad_request", "--rename "
			    "%s:%s=%s: %s", rn->kind, rn->old_id, rn->new_name,
			    err.message ? err.message : "not supported");
			merr_clear(&err);
			return CTL_USAGE;
		}
	}
	return CTL_OK;
}

/* ---- the run ------------------------------------------------------------ */

static enum ctl_exit
ag_fail(struct ag_run *r, struct merr *err)
{
	enum ctl_exit ex = err->code == MERR_DB_UNAVAILABLE ? CTL_TEMPFAIL :
	    err->code == MERR_BAD_REQUEST ? CTL_USAGE : CTL_FAILED;

	if (ag_interrupted())
		ex = (enum ctl_exit)(128 + ag_signal_number());
	client_fail(r->a, ex, merr_code_name(err->code), "%s", err->message ?
	    err->message : "failed");
	merr_clear(err);
	return ex;
}

/* Both scratch databases: A replayed by the daemon, B the desired schema. */
static enum ctl_exit
ag_build(struct ag_run *r)
{
	struct merr err = { 0 };
	struct ag_child child;
	struct ag_reading ra = { 0 }, rb = { 0 };
	char *url;
	int rc;

	ag_tick(NULL);
	if (ag_db_open(&r->db, ag_dev_url(r->a), &err) < 0)
		return ag_fail(r, &err);
	(void)ag_scratch_sweep(r->db, AG_SWEEP_AGE);
	ag_tick("connect, sweep");
	if (ag_scratch_create(r->db, 'a', &r->name_a, &err) < 0 ||
	    ag_scratch_create(r->db, 'b', &r->name_b, &err) < 0)
		return ag_fail(r, &err);
	ag_tick("create scratch databases");
	/* A by the daemon and B by us, at the same time */
	url = ag_db_url(r->db, r->name_a);
	rc = ag_migrated_start(url, r->dir, &child, &err);
	free(url);
	if (rc < 0)
		return ag_fail(r, &err);
	if (ag_db_connect(r->db, r->name_b, &r->cb, &err) < 0 ||
	    ag_apply_schema(r->cb, r->schema, &err) < 0) {
		MIG_IGNORE(ag_migrated_wait(&child, NULL));
		return ag_fail(r, &err);
	}
	ag_tick("B: desired schema");
	/* B's catalog is read while migrated --once finishes A */
	if (ag_read_start(r->cb, ag_exclude, &rb, &err) < 0) {
		MIG_IGNORE(ag_migrated_wait(&child, NULL));
		return ag_fail(r, &err);
	}
	if (ag_migrated_wait(&child, &err) < 0 ||
	    ag_db_connect(r->db, r->name_a, &r->ca, &err) < 0)
		return ag_fail(r, &err);	/* the drop ends B's read */
	ag_tick("A: migrated --once (after B)");
	if (ag_read_start(r->ca, ag_exclude, &ra, &err) < 0 ||
	    ag_read_finish(&ra, &r->a0, &err) < 0 ||
	    ag_read_finish(&rb, &r->b, &err) < 0)
		return ag_fail(r, &err);
	ag_tick("read catalogs A and B");
	return CTL_OK;
}

static enum ctl_exit
ag_plan_make(struct ag_run *r)
{
	struct merr err = { 0 };
	char **ups = NULL, **downs = NULL;
	enum ctl_exit ex = CTL_OK;
	struct ag_action *x;
	size_t i;

	r->a1 = NULL;
	if (r->opts.nrenames > 0) {
		if (ag_exec(r->ca, "BEGIN", &err) < 0)
			return ag_fail(r, &err);
		ex = ag_apply_renames(r, &ups, &downs);
		if (ex == CTL_OK && ag_read_catalog(r->ca, ag_exclude, &r->a1,
		    &err) < 0)
			ex = ag_fail(r, &err);
		MIG_IGNORE(ag_exec(r->ca, "ROLLBACK", NULL));
	}
	if (ex == CTL_OK) {
		ag_diff(&r->plan, r->a1 ? r->a1 : r->a0, r->b, &r->opts);
		for (i = 0; i < r->opts.nrenames; i++) {
			x = ag_act(&r->plan, AG_RENAME, 0,
			    r->opts.renames[i].old_id, ups[i], downs[i]);
			x->seq = i;
		}
	}
	for (i = 0; ups != NULL && i < r->opts.nrenames; i++) {
		free(ups[i]);
		free(downs[i]);
	}
	free(ups);
	free(downs);
	if (ex != CTL_OK)
		return ex;
	(void)ag_plan_order(&r->plan);
	if (r->plan.problems.n > 0) {
		for (i = 0; i < r->plan.problems.n; i++)
			fprintf(stderr, OUTPUT_PROG ": %s\n",
			    r->plan.problems.v[i]);
		return client_fail(r->a, CTL_FAILED, "migration_failed",
		    "no plan: %zu problem(s) above need a decision; nothing "
		    "written", r->plan.problems.n);
	}
	return CTL_OK;
}

static const char *
ag_message(const struct ag_run *r)
{
	return r->a->message != NULL ? r->a->message : "autogenerated";
}

static char *
ag_rev_text(const struct ag_run *r, size_t k)
{
	const struct ag_rev *rv = &r->revs[k];
	char date[64], *down_list, *up, *down, *buf = NULL;
	size_t len;
	struct tm tm;
	time_t now = time(NULL);
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream: %s", strerror(errno));
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S+00", &tm);
	down_list = k > 0 ? xstrdup(r->revs[k - 1].id) :
	    output_revlist(r->heads, "none");
	up = ag_plan_section(&r->plan, rv->phase, false);
	down = ag_plan_section(&r->plan, rv->phase, true);
	fprintf(f, "-- revision: %s\n-- down_revision: %s\n-- message: %s%s\n"
	    "-- create_date: %s\n", rv->id, down_list, ag_message(r),
	    ag_phase_note[rv->phase], date);
	if (rv->phase == AG_ONLINE)
		fprintf(f, "-- transactional: false\n-- lock_timeout: "
		    AG_NT_LOCK_TIMEOUT "\n");
	fprintf(f, "\n-- +upgrade\n-- generated by " OUTPUT_PROG " from %s; "
	    "review before applying\n%s", r->schema, up);
	if (ag_plan_reversible(&r->plan, rv->phase))
		fprintf(f, "\n-- +downgrade\n%s", down);
	else
		fprintf(f, "\n-- no downgrade: this revision cannot be undone "
		    "(irreversible)\n");
	fclose(f);
	free(down_list);
	free(up);
	free(down);
	return buf;
}

/* Ids, names and texts of the revisions; each parsed by the real parser. */
static enum ctl_exit
ag_revisions(struct ag_run *r)
{
	enum ag_phase ph[AG_NPHASES];
	struct mdiag_list diags = { 0 };
	struct migfile *mf;
	char *slug = output_slug(ag_message(r), OUTPUT_SLUG_MAX), *path, *m;
	size_t k;

	r->nrevs = ag_plan_phases(&r->plan, ph);
	for (k = 0; k < r->nrevs; k++) {
		r->revs[k].phase = ph[k];
		if (ctl_random_id(r->revs[k].id) < 0)
			fatal("getrandom failed");
		r->revs[k].name = *slug ? xasprintf("%s_%s.sql",
		    r->revs[k].id, slug) : xasprintf("%s.sql", r->revs[k].id);
	}
	for (k = 0; k < r->nrevs; k++) {
		r->revs[k].text = ag_rev_text(r, k);
		path = xasprintf("%s/%s", r->dir, r->revs[k].name);
		if (migfile_parse(path, r->revs[k].text,
		    strlen(r->revs[k].text), &mf, &diags) == 0)
			migfile_free(mf);
		free(path);
	}
	free(slug);
	if (diags.n == 0)
		return CTL_OK;
	for (k = 0; k < diags.n; k++) {
		m = mdiag_format(&diags.v[k]);
		fprintf(stderr, "%s\n", m);
		free(m);
	}
	mdiag_clear(&diags);
	return client_fail(r->a, CTL_FAILED, "internal", "the generated "
	    "revision would not load; nothing written");
}

static void
ag_print_residual(const struct ag_run *r)
{
	size_t i;

	fprintf(stderr, OUTPUT_PROG ": the plan does not prove out on a "
	    "scratch copy; nothing written. What still differs:\n");
	for (i = 0; i < r->proof.residual.n; i++)
		fprintf(stderr, "  %s\n", r->proof.residual.v[i]);
}

static enum ctl_exit
ag_write(struct ag_run *r)
{
	size_t k;
	int rc;

	for (k = 0; k < r->nrevs; k++) {
		rc = ctl_write_new(r->dir, r->revs[k].name, r->revs[k].text,
		    strlen(r->revs[k].text));
		if (rc < 0)
			return client_fail(r->a, CTL_FAILED, "internal",
			    "cannot write %s/%s: %s", r->dir, r->revs[k].name,
			    strerror(-rc));
		if (!r->a->json && !r->a->quiet)
			printf("wrote %s/%s\n", r->dir, r->revs[k].name);
	}
	return CTL_OK;
}

static void
ag_report(struct ag_run *r)
{
	json_t *doc;
	size_t k;

	if (r->a->json) {
		doc = ag_out_json(&r->plan, r->revs, r->nrevs);
		json_object_set_new(doc, "ok", json_true());
		json_object_set_new(doc, "proved", json_boolean(r->proved));
		json_object_set_new(doc, "downgrade_proved", json_boolean(
		    r->proved && r->proof.down));
		client_print_json(doc);
		json_decref(doc);
		return;
	}
	if (r->a->quiet)
		return;
	ag_out_summary(stdout, &r->plan, r->revs, r->nrevs, r->a->color);
	if (r->nrevs == 0)
		return;
	printf("%s\n", !r->proved ? "not proved (--no-prove)" : r->proof.down ?
	    "proved on a scratch copy: the upgrade reaches the desired schema, "
	    "the downgrade returns to the heads" : "proved on a scratch copy: "
	    "the upgrade reaches the desired schema (irreversible: no "
	    "downgrade to prove)");
	if (r->write)
		return;
	for (k = 0; k < r->nrevs; k++)
		printf("\n-- file %s\n%s", r->revs[k].name, r->revs[k].text);
}

/* Load the directory: it must be valid, and its heads are the parents. */
static enum ctl_exit
ag_heads(struct ag_run *r)
{
	struct mdiag_list diags = { 0 };
	struct migset *set;
	struct revgraph *g;
	json_t *errors;
	size_t i;

	if (ctl_offline_load(r->dir, &set, &g, &diags) < 0) {
		errors = ctl_offline_diags(&diags, true);
		json_decref(errors);
		mdiag_clear(&diags);
		return client_fail(r->a, CTL_FAILED, "migration_failed",
		    "%s has errors; fix them first", r->dir);
	}
	r->heads = json_array();
	for (i = 0; i < g->nheads; i++)
		json_array_append_new(r->heads,
		    json_string(set->v[g->heads[i]]->revision));
	ctl_offline_free(set, g);
	return CTL_OK;
}

static void
ag_cleanup(struct ag_run *r)
{
	size_t i;

	PQfinish(r->ca);
	PQfinish(r->cb);
	ag_scratch_drop_all(r->db);
	ag_db_close(r->db);
	catalog_free(r->a0);
	catalog_free(r->a1);
	catalog_free(r->b);
	ag_plan_free(&r->plan);
	ag_msgs_clear(&r->proof.residual);
	for (i = 0; i < r->nrevs; i++) {
		free(r->revs[i].name);
		free(r->revs[i].text);
	}
	for (i = 0; i < r->opts.nrenames; i++) {
		free(r->opts.renames[i].kind);
		free(r->opts.renames[i].old_id);
		free(r->opts.renames[i].new_name);
	}
	free(r->opts.renames);
	free(r->schema);
	free(r->name_a);
	free(r->name_b);
	json_decref(r->heads);
}

static enum ctl_exit
ag_main(const struct ctl_args *a, bool write)
{
	struct ag_run r;
	enum ctl_exit ex;

	memset(&r, 0, sizeof r);
	r.a = a;
	r.write = write;
	r.dir = ctl_migrations_dir(a);
	r.opts.allow_drop = a->allow_drop;
	r.opts.grants = a->grants;
	if ((ex = ag_parse_renames(a, &r.opts)) != CTL_OK ||
	    (ex = ag_schema_path(&r)) != CTL_OK ||
	    (ex = ag_heads(&r)) != CTL_OK)
		goto out;
	ag_signals_install();
	ag_catalog_acls(a->grants);
	if ((ex = ag_build(&r)) != CTL_OK || (ex = ag_plan_make(&r)) != CTL_OK)
		goto out;
	if (r.plan.norder == 0) {
		ag_report(&r);
		if (!a->json && !a->quiet)
			printf("no changes: the heads already match %s\n",
			    r.schema);
		goto out;
	}
	ag_tick("diff, order");
	if ((ex = ag_revisions(&r)) != CTL_OK)
		goto out;
	if (!a->no_prove || write) {
		if (ag_prove(&r.plan, r.ca, r.a0, ag_exclude, &r.proof) < 0 ||
		    !r.proof.ok) {
			if (!a->json && !a->quiet)
				ag_out_summary(stdout, &r.plan, r.revs, r.nrevs,
				    a->color);
			ag_print_residual(&r);
			ex = client_fail(a, CTL_FAILED, "migration_failed",
			    "autogenerate could not prove its plan");
			goto out;
		}
		r.proved = true;
		ag_tick("proof: downgrade, read");
		/* the proof corrected the rewrite claims: texts stay */
	}
	ag_report(&r);
	if (write)
		ex = ag_write(&r);
out:
	ag_cleanup(&r);
	ag_tick("drop scratch databases");
	if (ag_interrupted())
		ex = (enum ctl_exit)(128 + ag_signal_number());
	return ex;
}

enum ctl_exit
ctl_diff(const struct ctl_args *a, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return ag_main(a, false);
}

enum ctl_exit
ctl_autogenerate(const struct ctl_args *a, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return ag_main(a, true);
}
