/* SPDX-License-Identifier: MIT */
/* ctl-lint.c: migratectl lint: load, lint every revision, report. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ctl.h"
#include "lint.h"
#include "migfile.h"
#include "output.h"
#include "revgraph.h"
#include "xmalloc.h"

enum ctl_lint_fmt { FMT_TEXT, FMT_JSON, FMT_SARIF };

/* --db: parse trees kept from the facts' references for the lint. */
#define CTL_LINT_TREES (64 * 1024 * 1024)

/* "15", "14.2" or "140002" as server_version_num; -1 if malformed. */
static int
ctl_lint_pgversion(const char *s)
{
	char *end;
	long major, minor = 0;

	major = strtol(s, &end, 10);
	if (end == s || major < 0)
		return -1;
	if (*end == '.') {
		minor = strtol(end + 1, &end, 10);
		if (minor < 0 || minor > 99)
			return -1;
	}
	if (*end != '\0')
		return -1;
	if (major >= 100000 && major < 1000000)
		return (int)major;
	if (major < 10 || major > 99)
		return -1;
	return (int)(major * 10000 + minor);
}

static void
ctl_lint_rules_text(FILE *f)
{
	size_t i;

	for (i = 0; i < lint_nrules; i++)
		fprintf(f, "%-36s %-7s %-9s %s\n  why:  %s\n  safe: %s\n",
		    lint_rules[i].id, lint_sev_name(lint_rules[i].sev),
		    lint_rules[i].versions, lint_rules[i].what,
		    lint_rules[i].why, lint_rules[i].safe);
}

static int
ctl_lint_args(const struct ctl_args *a, enum ctl_lint_fmt *fmt,
    enum lint_sev *fail_on, int *version)
{
	*fmt = a->json ? FMT_JSON : FMT_TEXT;
	if (a->format != NULL) {
		if (strcmp(a->format, "json") == 0)
			*fmt = FMT_JSON;
		else if (strcmp(a->format, "sarif") == 0)
			*fmt = FMT_SARIF;
		else if (strcmp(a->format, "text") != 0) {
			fprintf(stderr, OUTPUT_PROG ": lint: unknown format "
			    "'%s' (text, json, sarif)\n", a->format);
			return -EINVAL;
		}
	}
	*fail_on = LINT_ERROR;
	if (a->fail_on != NULL && lint_sev_parse(a->fail_on, fail_on) < 0) {
		fprintf(stderr, OUTPUT_PROG ": lint: --fail-on takes error, "
		    "warning, note or none\n");
		return -EINVAL;
	}
	*version = 0;
	if (a->pg_version != NULL &&
	    (*version = ctl_lint_pgversion(a->pg_version)) < 0) {
		fprintf(stderr, OUTPUT_PROG ": lint: bad --pg-version '%s' "
		    "(15, 14.2 or 140002)\n", a->pg_version);
		return -EINVAL;
	}
	return 0;
}

static void
ctl_lint_text(const struct ctl_args *a, const struct lint *l,
    const struct revgraph *g)
{
	const struct lint_findings *f = lint_results(l);
	size_t i, n[3] = { 0, 0, 0 }, allowed = 0;
	json_t *heads = json_array();
	char *s, *hl;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].suppressed != NULL) {
			allowed++;
			if (!a->verbose)
				continue;
		} else
			n[f->v[i].sev]++;
		s = lint_format(&f->v[i]);
		if (f->v[i].suppressed != NULL)
			printf("%s (allowed: %s)\n", s, f->v[i].suppressed);
		else
			printf("%s\n", s);
		free(s);
	}
	if (a->quiet)
		goto out;
	for (i = 0; i < g->nheads; i++)
		json_array_append_new(heads, json_string(
		    g->nodes[g->heads[i]].id));
	hl = output_revlist(heads, "");
	printf("%zu revision%s, %zu head%s%s%s", g->n, g->n == 1 ? "" : "s",
	    g->nheads, g->nheads == 1 ? "" : "s", g->nheads > 0 ? ": " : ":",
	    hl);
	free(hl);
	if (n[0] + n[1] + n[2] == 0)
		printf(" ok\n");
	else
		printf("; %zu error%s, %zu warning%s, %zu note%s\n", n[2],
		    n[2] == 1 ? "" : "s", n[1], n[1] == 1 ? "" : "s", n[0],
		    n[0] == 1 ? "" : "s");
	if (a->verbose && allowed > 0)
		printf("%zu finding%s allowed by lint_allow or squawk-ignore\n",
		    allowed, allowed == 1 ? "" : "s");
out:
	json_decref(heads);
}

static void
ctl_lint_json(const struct lint *l, const struct revgraph *g,
    enum lint_sev fail_on)
{
	json_t *heads = json_array(), *doc;
	size_t i;

	for (i = 0; i < g->nheads; i++)
		json_array_append_new(heads, json_string(
		    g->nodes[g->heads[i]].id));
	doc = json_pack("{s:b, s:[], s:o, s:I, s:o, s:o, s:{s:I, s:I, s:I}}",
	    "ok", lint_count(l, fail_on) == 0, "errors", "warnings",
	    ctl_lint_warnings(g, false), "revisions",
	    (json_int_t)g->n, "heads", heads, "findings",
	    lint_findings_json(lint_results(l)), "counts", "error",
	    (json_int_t)lint_count(l, LINT_ERROR), "warning",
	    (json_int_t)(lint_count(l, LINT_WARNING) -
	    lint_count(l, LINT_ERROR)), "note", (json_int_t)(lint_count(l,
	    LINT_NOTE) - lint_count(l, LINT_WARNING)));
	client_print_json(doc);
	json_decref(doc);
}

/* Lint every revision in topological order; *l to lint_free(). */
static enum ctl_exit
ctl_lint_run(const struct ctl_args *a, const struct revgraph *g,
    int version, struct lint **out)
{
	struct lint_opts o = { 0 };
	struct lint_facts *facts = NULL;
	struct lint_trees *trees = NULL;
	struct lint *l;
	void *conn = NULL;
	bool *pending;
	char *why = NULL;
	size_t i;

	pending = xcalloc(g->n + 1, sizeof *pending);
	for (i = 0; i < g->n; i++)
		pending[i] = true;
	if (a->db != NULL)
		trees = lint_trees_new(CTL_LINT_TREES);
	if (a->db != NULL && ctl_lintdb_facts(a, g, pending, trees, &facts,
	    &conn, &why) < 0) {
		fprintf(stderr, OUTPUT_PROG ": lint --db: %s\n", why);
		free(why);
		free(pending);
		lint_trees_free(trees);
		return CTL_TEMPFAIL;
	}
	o.server_version = version;
	o.atomic = a->atomic;
	o.facts = facts;
	o.trees = trees;
	if (conn != NULL) {
		o.estimate = ctl_lintdb_estimate;
		o.estimate_arg = conn;
	}
	l = lint_new(&o);
	for (i = 0; i < g->n; i++)
		lint_section(l, g->nodes[g->order[i]].mf, true,
		    pending[g->order[i]]);
	lint_facts_free(facts);	/* lint keeps what it merged, not facts */
	lint_trees_free(trees);
	if (conn != NULL)
		ctl_lintdb_close(conn);
	free(pending);
	*out = l;
	return CTL_OK;
}

enum ctl_exit
ctl_lint(const struct ctl_args *a, int argc, char **argv)
{
	struct mdiag_list diags = { 0 };
	enum ctl_lint_fmt fmt;
	enum lint_sev fail_on;
	struct migset *set;
	struct revgraph *g;
	struct lint *l = NULL;
	enum ctl_exit ex;
	json_t *doc;
	int version;

	if (ctl_lint_args(a, &fmt, &fail_on, &version) < 0)
		return CTL_USAGE;
	if (a->rules) {
		if (fmt == FMT_TEXT)
			ctl_lint_rules_text(stdout);
		else {
			doc = lint_rules_json();
			client_print_json(doc);
			json_decref(doc);
		}
		return CTL_OK;
	}
	if (ctl_offline_load(ctl_migrations_dir(a), &set, &g, &diags) < 0) {
		ex = ctl_offline_failed(a, &diags);
		mdiag_clear(&diags);
		return ex;
	}
	if ((ex = ctl_lint_run(a, g, version, &l)) == CTL_OK) {
		if (fmt == FMT_SARIF) {
			doc = lint_sarif(lint_results(l), PACKAGE_VERSION);
			client_print_json(doc);
			json_decref(doc);
		} else if (fmt == FMT_JSON)
			ctl_lint_json(l, g, fail_on);
		else {
			json_decref(ctl_lint_warnings(g, !a->quiet));
			ctl_lint_text(a, l, g);
		}
		ex = lint_count(l, fail_on) > 0 ? CTL_FAILED : CTL_OK;
	}
	lint_free(l);
	ctl_offline_free(set, g);
	return ex;
}
