/* SPDX-License-Identifier: MIT */
/* autogen-out.c: the plan's summary: per statement object, lock, rewrite,
 * data. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

static const char *const ag_phase_label[] = {
	"transactional, runs first: new enum labels",
	"transactional",
	"transactional: false",
	"transactional, after the online steps",
};

/* The first line of a statement, at most width characters. */
static void
ag_first_line(FILE *f, const char *s, int width)
{
	int n = 0;

	while (s[n] != '\0' && s[n] != '\n' && n < width)
		n++;
	fprintf(f, "%.*s%s", n, s, s[n] != '\0' ? " ..." : "");
}

/* What an action does: past the guard of a concurrent build. */
static const char *
ag_summary_text(const struct ag_action *x)
{
	static const char guard[] = "DROP INDEX CONCURRENTLY IF EXISTS ";
	const char *t = ag_act_text(x, false), *nl = strchr(t, '\n');

	if (strncmp(t, guard, strlen(guard)) == 0 && nl != NULL)
		return nl + 1;
	return t;
}

void
ag_out_summary(FILE *f, const struct ag_plan *p, const struct ag_rev *revs,
    size_t nrevs, bool color)
{
	size_t *idx = xcalloc(p->norder ? p->norder : 1, sizeof(size_t));
	size_t k, i, n, num = 0;
	const struct ag_action *x;
	const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" :
	    "", *red = color ? "\033[31m" : "";

	for (k = 0; k < nrevs; k++) {
		n = ag_plan_stmts(p, revs[k].phase, false, idx);
		fprintf(f, "%s%s%s  revision %zu of %zu (%s)%s\n", bold,
		    revs[k].id, off, k + 1, nrevs,
		    ag_phase_label[revs[k].phase],
		    ag_plan_reversible(p, revs[k].phase) ? "" :
		    ", irreversible");
		fprintf(f, "  %3s  %-40s %-22s %-7s %s\n", "#", "object",
		    "lock", "rewrite", "data");
		for (i = 0; i < n; i++) {
			x = &p->acts[idx[i]];
			fprintf(f, "  %3zu  %-40s %-22s %-7s %s%s%s\n   "
			    "     ", ++num, x->what, x->lock ? x->lock : "-",
			    x->rewrite ? "yes" : "no", x->loses_data ? red : "",
			    x->loses_data ? "LOST" : "kept",
			    x->loses_data ? off : "");
			ag_first_line(f, ag_summary_text(x), 68);
			fputc('\n', f);
		}
	}
	for (i = 0; i < p->notes.n; i++)
		fprintf(f, "note: %s\n", p->notes.v[i]);
	free(idx);
}

static json_t *
ag_out_stmts(const struct ag_plan *p, enum ag_phase ph, bool down)
{
	size_t *idx = xcalloc(p->norder ? p->norder : 1, sizeof(size_t));
	size_t n = ag_plan_stmts(p, ph, down, idx), i;
	json_t *arr = json_array();
	const struct ag_action *x;
	const char *t;

	for (i = 0; i < n; i++) {
		x = &p->acts[idx[i]];
		if ((t = ag_act_text(x, down)) == NULL || *t == '\0')
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s?, s:s?, s:b, "
		    "s:b, s:s?}", "object", x->what, "table", x->table, "lock",
		    x->lock, "rewrite", !down && x->rewrite, "loses_data",
		    down ? x->down_note != NULL : x->loses_data, "sql", t));
	}
	free(idx);
	return arr;
}

json_t *
ag_out_json(const struct ag_plan *p, const struct ag_rev *revs,
    size_t nrevs)
{
	json_t *arr = json_array(), *notes = json_array(), *o;
	size_t k;

	for (k = 0; k < nrevs; k++) {
		bool rev = ag_plan_reversible(p, revs[k].phase);

		o = json_pack("{s:s, s:s, s:b, s:o, s:o}", "revision",
		    revs[k].id, "file", revs[k].name, "transactional",
		    revs[k].phase != AG_ONLINE, "upgrade",
		    ag_out_stmts(p, revs[k].phase, false), "downgrade",
		    rev ? ag_out_stmts(p, revs[k].phase, true) : json_null());
		json_object_set_new(o, "text", json_string(revs[k].text));
		json_array_append_new(arr, o);
	}
	for (k = 0; k < p->notes.n; k++)
		json_array_append_new(notes, json_string(p->notes.v[k]));
	return json_pack("{s:o, s:o}", "revisions", arr, "notes", notes);
}
