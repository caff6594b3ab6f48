/* SPDX-License-Identifier: MIT */
/* ctl-offline.c: load and history of a migrations directory, no daemon. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "ctl.h"
#include "migfile.h"
#include "output.h"
#include "revgraph.h"
#include "revjson.h"
#include "xmalloc.h"

int
ctl_offline_load(const char *dir, struct migset **set, struct revgraph **g,
    struct mdiag_list *diags)
{
	int r;

	*set = NULL;
	*g = NULL;
	/*
	 * Every error at once (SPEC §2): the graph of the files that did load
	 * is checked too (unknown parent, cycle), except for references to a
	 * file that failed, whose own errors are reported.
	 */
	if ((r = migset_load_all(dir, set, diags)) < 0 && *set == NULL) {
		if (diags->n == 0)
			mdiag_add(diags, dir, 0, "cannot load: %s",
			    strerror(-r));
		return r;
	}
	if (revgraph_build(*set, g, diags) < 0 || r < 0) {
		mdiag_sort(diags);
		revgraph_free(*g);
		*g = NULL;
		migset_free(*set);
		*set = NULL;
		return -EINVAL;
	}
	return 0;
}

void
ctl_offline_free(struct migset *set, struct revgraph *g)
{
	revgraph_free(g);
	migset_free(set);
}

json_t *
ctl_offline_diags(struct mdiag_list *diags, bool print)
{
	json_t *errors = json_array();
	char *s;
	size_t i;

	mdiag_sort(diags);
	for (i = 0; i < diags->n; i++) {
		s = mdiag_format(&diags->v[i]);
		if (print)
			fprintf(stderr, "%s\n", s);
		json_array_append_new(errors, json_string(s));
		free(s);
	}
	return errors;
}

/* The history result of the daemon, built from the files alone. */
static json_t *
ctl_offline_history_json(const struct revgraph *g)
{
	json_t *revs = json_array();
	size_t i;

	for (i = g->n; i-- > 0;)
		json_array_append_new(revs, revjson_rev(g, g->order[i], -1,
		    false));
	return json_pack("{s:o, s:n, s:o}", "revisions", revs, "current",
	    "heads", revjson_ids(g, g->heads, g->nheads));
}

/* Report load errors: sorted on stderr, and as JSON with --json. */
enum ctl_exit
ctl_offline_failed(const struct ctl_args *a, struct mdiag_list *diags)
{
	json_t *doc;

	doc = json_pack("{s:b, s:o}", "ok", 0, "errors",
	    ctl_offline_diags(diags, true));
	if (a->json)
		client_print_json(doc);
	json_decref(doc);
	return CTL_FAILED;
}

enum ctl_exit
ctl_history_offline(const struct ctl_args *a, int argc, char **argv)
{
	struct mdiag_list diags = { 0 };
	struct migset *set;
	struct revgraph *g;
	enum ctl_exit ex = CTL_OK;
	json_t *res;

	if (ctl_offline_load(ctl_migrations_dir(a), &set, &g, &diags) < 0) {
		ex = ctl_offline_failed(a, &diags);
		mdiag_clear(&diags);
		return ex;
	}
	res = ctl_offline_history_json(g);
	if (a->json)
		client_print_json(res);
	else if (!a->quiet)
		output_history(stdout, res, a->verbose);
	json_decref(res);
	ctl_offline_free(set, g);
	return ex;
}

/*
 * Warnings of a directory that loads: revisions whose upgrade section is
 * still empty, which auto-migrate does not apply (issue 10 item 4).
 * Printed on stderr as FILE:LINE: warning: ...; returned as JSON.
 */
json_t *
ctl_lint_warnings(const struct revgraph *g, bool print)
{
	json_t *warnings = json_array();
	const struct migfile *mf;
	char *s;
	size_t i, k;

	for (i = 0; i < g->n; i++) {
		k = g->order[i];
		if (!revgraph_is_empty(g, k))
			continue;
		mf = g->nodes[k].mf;
		s = xasprintf("%s:%d: warning: revision %s has an empty "
		    "upgrade section: auto-migrate stops before it (and what "
		    "needs it)", mf->path, mf->up.present ? mf->up.line :
		    mf->revision_line, mf->revision);
		if (print)
			fprintf(stderr, "%s\n", s);
		json_array_append_new(warnings, json_string(s));
		free(s);
	}
	return warnings;
}
