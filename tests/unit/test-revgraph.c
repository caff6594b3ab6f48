/* SPDX-License-Identifier: MIT */
/* test-revgraph.c: revision graph, specifiers, plans and state. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "merr.h"
#include "migfile.h"
#include "revgraph.h"
#include "xmalloc.h"

/*
 * Cases live in tests/data/revgraph/NAME.txt, one directive per line
 * ('#' starts a comment; lists are comma-separated, '-' is empty):
 *
 *   rev ID DOWN [deps=A,B] [labels=L,M] [empty]
 *                                          a file ID.sql, header lines
 *                                          revision 1, down 2, deps 3,
 *                                          labels 4 (files in this order);
 *                                          empty: no upgrade statement
 *   diag FILE:LINE: MESSAGE               expected build error (all of
 *                                          them, sorted); none: build ok
 *   order => IDS                          g->order
 *   heads => IDS                          g->heads
 *   lookup PREFIX => ID | !CODE [MESSAGE]
 *   resolve CUR SPEC => IDS | base | !CODE [MESSAGE]
 *   plan up|down CUR SPEC => STEPS | nothing | !CODE [MESSAGE]
 *                                          (STEPS: +id / -id, in order)
 *   stopempty CUR SPEC => STEPS | nothing  the upgrade plan cut short of
 *                                          empty revisions, then
 *                                          "cut N from ID" if any
 *   target up|down CUR SPEC => ok | !CODE [MESSAGE]
 *                                          revgraph_check_target(); the
 *                                          hint follows the message
 *                                          after " | "
 *   closure ROWS => IDS                    applied set, in topo order
 *   rows ROWS => IDS                       revgraph_rows_of(closure)
 *   state ROWS => NAME                     rows may name unknown ids
 *
 * An error expectation without MESSAGE checks the code only.
 */

#define LINE_MAX_LEN	1024

/* ---- building a migset in memory (no parser needed) ---- */

static char **
split_list(const char *s, size_t *n)
{
	char **v = NULL, *copy, *tok, *save = NULL;

	*n = 0;
	if (s == NULL || strcmp(s, "-") == 0 || strcmp(s, "none") == 0)
		return NULL;
	copy = xstrdup(s);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(tok);
	}
	free(copy);
	return v;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Append a revision to set: down "none" or "a,b"; deps/labels may be NULL. */
static void
set_add(struct migset *set, const char *id, const char *down,
    const char *deps, const char *labels)
{
	struct migfile *mf = xcalloc(1, sizeof *mf);

	mf->revision = xstrdup(id);
	mf->name = xasprintf("%s.sql", id);
	mf->path = xstrdup(mf->name);
	mf->revision_line = 1;
	mf->down_line = 2;
	mf->depends_line = 3;
	mf->labels_line = 4;
	mf->down = split_list(down, &mf->ndown);
	mf->depends_on = split_list(deps, &mf->ndepends);
	mf->branch_labels = split_list(labels, &mf->nlabels);
	mf->message = xstrdup("");
	mf->transactional = true;
	mf->up.stmts.n = 1;	/* one statement (never read) unless empty */
	set->v = xreallocarray(set->v, set->n + 1, sizeof *set->v);
	set->v[set->n++] = mf;
}

static void
set_free(struct migset *set)
{
	struct migfile *mf;
	size_t i;

	for (i = 0; i < set->n; i++) {
		mf = set->v[i];
		free(mf->revision);
		free(mf->name);
		free(mf->path);
		free(mf->message);
		free_list(mf->down, mf->ndown);
		free_list(mf->depends_on, mf->ndepends);
		free_list(mf->branch_labels, mf->nlabels);
		free(mf);
	}
	free(set->v);
	memset(set, 0, sizeof *set);
}

/* ---- formatting results ---- */

static char *
fmt_ids(const struct revgraph *g, const size_t *v, size_t n,
    const char *empty)
{
	char *s, *t;
	size_t i;

	if (n == 0)
		return xstrdup(empty);
	s = xstrdup(g->nodes[v[0]].id);
	for (i = 1; i < n; i++) {
		t = xasprintf("%s,%s", s, g->nodes[v[i]].id);
		free(s);
		s = t;
	}
	return s;
}

static char *
fmt_err(const struct merr *e)
{
	return xasprintf("!%s %s", merr_code_name(e->code),
	    e->message != NULL ? e->message : "");
}

static char *
fmt_plan(const struct revgraph *g, const struct rg_plan *p)
{
	char *s, *t;
	size_t i;

	if (p->n == 0)
		return xstrdup("nothing");
	s = xstrdup("");
	for (i = 0; i < p->n; i++) {
		t = xasprintf("%s%s%c%s", s, i ? " " : "",
		    p->v[i].up ? '+' : '-', g->nodes[p->v[i].rev].id);
		free(s);
		s = t;
	}
	return s;
}

/* Indices of a comma list of ids that must all exist. */
static size_t *
ids_of(const struct revgraph *g, const char *list, size_t *n)
{
	char **names;
	size_t *v, i;
	ssize_t x;

	names = split_list(list, n);
	v = xcalloc(*n, sizeof *v);
	for (i = 0; i < *n; i++) {
		x = revgraph_find(g, names[i]);
		if (x < 0)
			fail_msg("unknown id %s in test case", names[i]);
		v[i] = (size_t)x;
	}
	free_list(names, *n);
	return v;
}

/* ---- the data-file runner ---- */

struct runner {
	const char *file;
	int line;
	int failures;
	struct migset set;
	struct revgraph *g;
	struct mdiag_list want;	/* expected diagnostics */
	bool built;
};

/*
 * Compare got with want. An expected "!code" alone matches any message
 * of that code.
 */
static void
check(struct runner *r, const char *what, char *got, const char *want)
{
	bool ok;

	if (want[0] == '!' && strchr(want, ' ') == NULL)
		ok = strncmp(got, want, strlen(want)) == 0 &&
		    got[strlen(want)] == ' ';
	else
		ok = strcmp(got, want) == 0;
	if (!ok) {
		print_error("%s:%d: %s\n  want: %s\n  got:  %s\n", r->file,
		    r->line, what, want, got);
		r->failures++;
	}
	free(got);
}

static char *
do_resolve(struct runner *r, const char *cur, const char *spec,
    size_t **out, size_t *nout)
{
	struct merr e = { 0 };
	size_t *c, nc;
	char *s = NULL;

	c = ids_of(r->g, cur, &nc);
	if (revgraph_resolve(r->g, spec, c, nc, out, nout, &e) != 0) {
		s = fmt_err(&e);
		assert_int_not_equal(e.code, MERR_NONE);
		*out = NULL;
	}
	merr_clear(&e);
	free(c);
	return s;
}

static char *
do_target(struct runner *r, const char *dir, const char *cur,
    const char *spec)
{
	struct merr e = { 0 };
	size_t *c, nc, *t = NULL, nt = 0;
	char *s, *withhint;

	if ((s = do_resolve(r, cur, spec, &t, &nt)) != NULL)
		return s;
	c = ids_of(r->g, cur, &nc);
	if (revgraph_check_target(r->g, strcmp(dir, "up") == 0, spec, c, nc,
	    t, nt, &e) != 0) {
		assert_int_not_equal(e.code, MERR_NONE);
		s = fmt_err(&e);
		if (e.hint != NULL) {
			withhint = xasprintf("%s | %s", s, e.hint);
			free(s);
			s = withhint;
		}
	} else
		s = xstrdup("ok");
	merr_clear(&e);
	free(c);
	free(t);
	return s;
}

static char *
do_stopempty(struct runner *r, const char *cur, const char *spec)
{
	struct rg_plan p = { 0 };
	struct merr e = { 0 };
	size_t *c, nc, *t = NULL, nt = 0, cut, first = 0;
	char *s, *all;

	if ((s = do_resolve(r, cur, spec, &t, &nt)) != NULL)
		return s;
	c = ids_of(r->g, cur, &nc);
	if (revgraph_plan(r->g, true, c, nc, t, nt, &p, &e) != 0)
		s = fmt_err(&e);
	else {
		cut = revgraph_plan_stop_empty(r->g, &p, &first);
		s = fmt_plan(r->g, &p);
		if (cut > 0) {
			all = xasprintf("%s cut %zu from %s", s, cut,
			    r->g->nodes[first].id);
			free(s);
			s = all;
		}
	}
	rg_plan_clear(&p);
	merr_clear(&e);
	free(c);
	free(t);
	return s;
}

static char *
do_plan(struct runner *r, const char *dir, const char *cur, const char *spec)
{
	struct rg_plan p = { 0 };
	struct merr e = { 0 };
	size_t *c, nc, *t = NULL, nt = 0;
	char *s;

	if ((s = do_resolve(r, cur, spec, &t, &nt)) != NULL)
		return s;
	c = ids_of(r->g, cur, &nc);
	if (revgraph_plan(r->g, strcmp(dir, "up") == 0, c, nc, t, nt, &p,
	    &e) != 0)
		s = fmt_err(&e);
	else
		s = fmt_plan(r->g, &p);
	rg_plan_clear(&p);
	merr_clear(&e);
	free(c);
	free(t);
	return s;
}

static char *
do_closure(struct runner *r, const char *rows, bool rows_of)
{
	bool *applied = xcalloc(r->g->n, sizeof *applied);
	size_t *c, nc, *out, n = 0, i;
	char *s;

	c = ids_of(r->g, rows, &nc);
	revgraph_closure(r->g, c, nc, applied);
	out = xcalloc(r->g->n, sizeof *out);
	if (rows_of)
		n = revgraph_rows_of(r->g, applied, out);
	else
		for (i = 0; i < r->g->n; i++)
			if (applied[r->g->order[i]])
				out[n++] = r->g->order[i];
	s = fmt_ids(r->g, out, n, "-");
	free(applied);
	free(out);
	free(c);
	return s;
}

static char *
do_state(struct runner *r, const char *rows)
{
	char **names;
	size_t n;
	char *s;

	names = split_list(rows, &n);
	s = xstrdup(rg_state_name(revgraph_state(r->g,
	    (const char *const *)names, n)));
	free_list(names, n);
	return s;
}

/* Build the graph once all rev/diag lines are read; check diagnostics. */
static void
build(struct runner *r)
{
	struct mdiag_list got = { 0 };
	char *a, *b;
	size_t i;
	int rc;

	r->built = true;
	rc = revgraph_build(&r->set, &r->g, &got);
	mdiag_sort(&got);
	mdiag_sort(&r->want);
	if (rc != 0)
		r->g = NULL;
	if ((rc != 0) != (r->want.n > 0) || got.n != r->want.n)
		r->failures++;
	for (i = 0; i < got.n || i < r->want.n; i++) {
		a = i < got.n ? mdiag_format(&got.v[i]) : xstrdup("(none)");
		b = i < r->want.n ? mdiag_format(&r->want.v[i]) :
		    xstrdup("(none)");
		if (strcmp(a, b) != 0) {
			print_error("%s: diagnostic %zu\n  want: %s\n"
			    "  got:  %s\n", r->file, i, b, a);
			r->failures++;
		}
		free(a);
		free(b);
	}
	if (rc == 0 && r->want.n > 0)
		print_error("%s: build succeeded, errors expected\n", r->file);
	mdiag_clear(&got);
}

/* One directive; tok[] are whitespace-separated words, want after "=>". */
static void
run_directive(struct runner *r, char **tok, size_t ntok, const char *want)
{
	size_t *out = NULL, nout = 0;
	char *s = NULL;

	if (r->g == NULL)
		fail_msg("%s:%d: no graph", r->file, r->line);
	if (strcmp(tok[0], "order") == 0)
		s = fmt_ids(r->g, r->g->order, r->g->n, "-");
	else if (strcmp(tok[0], "heads") == 0)
		s = fmt_ids(r->g, r->g->heads, r->g->nheads, "-");
	else if (strcmp(tok[0], "lookup") == 0 && ntok == 2) {
		struct merr e = { 0 };
		size_t x;

		if (revgraph_lookup(r->g, tok[1], &x, &e) != 0)
			s = fmt_err(&e);
		else
			s = xstrdup(r->g->nodes[x].id);
		merr_clear(&e);
	} else if (strcmp(tok[0], "resolve") == 0 && ntok == 3) {
		if ((s = do_resolve(r, tok[1], tok[2], &out, &nout)) == NULL)
			s = fmt_ids(r->g, out, nout, "base");
		free(out);
	} else if (strcmp(tok[0], "plan") == 0 && ntok == 4)
		s = do_plan(r, tok[1], tok[2], tok[3]);
	else if (strcmp(tok[0], "stopempty") == 0 && ntok == 3)
		s = do_stopempty(r, tok[1], tok[2]);
	else if (strcmp(tok[0], "target") == 0 && ntok == 4)
		s = do_target(r, tok[1], tok[2], tok[3]);
	else if (strcmp(tok[0], "closure") == 0 && ntok == 2)
		s = do_closure(r, tok[1], false);
	else if (strcmp(tok[0], "rows") == 0 && ntok == 2)
		s = do_closure(r, tok[1], true);
	else if (strcmp(tok[0], "state") == 0 && ntok == 2)
		s = do_state(r, tok[1]);
	if (s == NULL) {
		fail_msg("%s:%d: bad directive %s", r->file, r->line, tok[0]);
		return;
	}
	check(r, tok[0], s, want);
}

static void
run_line(struct runner *r, char *line)
{
	char *tok[8], *want = NULL, *p, *save = NULL;
	size_t ntok = 0, i;

	if (strncmp(line, "diag ", 5) == 0) {
		/* "diag FILE:LINE: message" */
		line[strcspn(line, "\n")] = '\0';
		p = strchr(line + 5, ':');
		if (p == NULL || strstr(p + 1, ": ") == NULL)
			fail_msg("%s:%d: bad diag line", r->file, r->line);
		*p = '\0';
		mdiag_add(&r->want, line + 5, atoi(p + 1), "%s",
		    strstr(p + 1, ": ") + 2);
		return;
	}
	if ((p = strstr(line, "=>")) != NULL) {
		*p = '\0';
		want = p + 2;
		want += strspn(want, " \t");
		want[strcspn(want, "\n")] = '\0';
	}
	for (p = strtok_r(line, " \t\n", &save); p != NULL && ntok < 8;
	    p = strtok_r(NULL, " \t\n", &save))
		tok[ntok++] = p;
	if (ntok == 0 || tok[0][0] == '#')
		return;
	if (strcmp(tok[0], "rev") == 0 && ntok >= 3) {
		const char *deps = NULL, *labels = NULL;

		bool empty = false;

		for (i = 3; i < ntok; i++) {
			if (strncmp(tok[i], "deps=", 5) == 0)
				deps = tok[i] + 5;
			else if (strncmp(tok[i], "labels=", 7) == 0)
				labels = tok[i] + 7;
			else if (strcmp(tok[i], "empty") == 0)
				empty = true;
		}
		set_add(&r->set, tok[1], tok[2], deps, labels);
		if (empty)
			r->set.v[r->set.n - 1]->up.stmts.n = 0;
		return;
	}
	if (want == NULL)
		fail_msg("%s:%d: missing =>", r->file, r->line);
	if (!r->built)
		build(r);
	run_directive(r, tok, ntok, want);
}

static void
test_data_file(void **state)
{
	const char *name = *state;
	struct runner r = { 0 };
	char path[512], line[LINE_MAX_LEN];
	FILE *f;

	snprintf(path, sizeof path, "%s/revgraph/%s.txt", TEST_DATA_DIR,
	    name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	r.file = path;
	while (fgets(line, sizeof line, f) != NULL) {
		r.line++;
		run_line(&r, line);
	}
	fclose(f);
	if (!r.built)
		build(&r);
	revgraph_free(r.g);
	set_free(&r.set);
	mdiag_clear(&r.want);
	assert_int_equal(r.failures, 0);
}

/* ---- generated graphs ---- */

/* A bijection of i onto 8 hex digits, so id order differs from index. */
static void
hash_id(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "%08x", (unsigned)((uint32_t)i * 2654435761u));
}


#define BIG 10000

/*
 * A chain of BIG revisions. reverse: file order is newest first, so
 * Kahn's tie-breaking cannot simply follow the index.
 */
static void
chain_set(struct migset *set, bool reverse)
{
	char id[16], parent[16];
	size_t i, k;

	for (k = 0; k < BIG; k++) {
		i = reverse ? BIG - 1 - k : k;
		hash_id(id, sizeof id, i);
		if (i > 0)
			hash_id(parent, sizeof parent, i - 1);
		set_add(set, id, i > 0 ? parent : "none", NULL, NULL);
	}
}

static void
check_chain(bool reverse)
{
	struct migset set = { 0 };
	struct mdiag_list d = { 0 };
	struct revgraph *g;
	struct rg_plan p = { 0 };
	struct merr e = { 0 };
	size_t *out, nout, i, head, mid;
	char id[16];
	const char *row;

	chain_set(&set, reverse);
	assert_int_equal(revgraph_build(&set, &g, &d), 0);
	assert_int_equal(d.n, 0);
	head = reverse ? 0 : BIG - 1;
	assert_int_equal(g->nheads, 1);
	assert_int_equal(g->heads[0], head);
	assert_int_equal(g->nroots, 1);
	for (i = 0; i < BIG; i++)
		assert_int_equal(g->order[i], reverse ? BIG - 1 - i : i);

	/* Everything from base, oldest first. */
	assert_int_equal(revgraph_resolve(g, "head", NULL, 0, &out, &nout,
	    &e), 0);
	assert_int_equal(nout, 1);
	assert_int_equal(out[0], head);
	assert_int_equal(revgraph_plan(g, true, NULL, 0, out, nout, &p, &e),
	    0);
	free(out);
	assert_int_equal(p.n, BIG);
	for (i = 0; i < BIG; i++) {
		assert_true(p.v[i].up);
		assert_int_equal(p.v[i].rev, g->order[i]);
	}
	rg_plan_clear(&p);

	/* head-5000 is the 5000th revision (1-based) of the chain. */
	assert_int_equal(revgraph_resolve(g, "head-5000", NULL, 0, &out,
	    &nout, &e), 0);
	assert_int_equal(nout, 1);
	mid = out[0];
	hash_id(id, sizeof id, 4999);
	assert_string_equal(g->nodes[mid].id, id);

	/* Down from head to head-5000: 5000 steps, newest first. */
	assert_int_equal(revgraph_plan(g, false, &head, 1, out, 1, &p, &e),
	    0);
	free(out);
	assert_int_equal(p.n, 5000);
	for (i = 0; i < p.n; i++) {
		assert_false(p.v[i].up);
		assert_int_equal(p.v[i].rev, g->order[BIG - 1 - i]);
	}
	rg_plan_clear(&p);

	/* And to base: all of them. */
	assert_int_equal(revgraph_plan(g, false, &head, 1, NULL, 0, &p, &e),
	    0);
	assert_int_equal(p.n, BIG);
	rg_plan_clear(&p);

	assert_int_equal(revgraph_resolve(g, "base+10000", NULL, 0, &out,
	    &nout, &e), 0);
	assert_int_equal(out[0], head);
	free(out);
	assert_int_not_equal(revgraph_resolve(g, "base+10001", NULL, 0, &out,
	    &nout, &e), 0);
	assert_int_equal(e.code, MERR_REVISION_NOT_FOUND);
	assert_int_not_equal(revgraph_resolve(g, "-10001", &head, 1, &out,
	    &nout, &e), 0);
	assert_int_equal(e.code, MERR_REVISION_NOT_FOUND);
	assert_int_equal(revgraph_resolve(g, "-10000", &head, 1, &out,
	    &nout, &e), 0);
	assert_int_equal(nout, 0);
	merr_clear(&e);

	row = g->nodes[head].id;
	assert_int_equal(revgraph_state(g, &row, 1), RG_CURRENT);
	row = g->nodes[mid].id;
	assert_int_equal(revgraph_state(g, &row, 1), RG_BEHIND);

	revgraph_free(g);
	set_free(&set);
}

static void
test_chain_10k(void **state)
{
	check_chain(false);
}

static void
test_chain_10k_reversed(void **state)
{
	check_chain(true);
}

/* root, BIG branches from it, one merge of all of them. */
static void
test_wide_10k(void **state)
{
	struct migset set = { 0 };
	struct revgraph *g;
	struct rg_plan p = { 0 };
	struct merr e = { 0 };
	size_t *out, nout, i;
	char id[16], *down = xstrdup(""), *t;

	set_add(&set, "root", "none", NULL, NULL);
	for (i = 0; i < BIG; i++) {
		hash_id(id, sizeof id, i + 1);
		set_add(&set, id, "root", NULL, NULL);
		t = xasprintf("%s%s%s", down, i ? "," : "", id);
		free(down);
		down = t;
	}
	set_add(&set, "merge", down, NULL, NULL);
	free(down);
	assert_int_equal(revgraph_build(&set, &g, NULL), 0);
	assert_int_equal(g->nheads, 1);
	assert_string_equal(g->nodes[g->heads[0]].id, "merge");
	assert_int_equal(g->nodes[0].nchildren, BIG);
	assert_int_equal(g->nodes[BIG + 1].nparents, BIG);

	assert_int_not_equal(revgraph_resolve(g, "head-1", NULL, 0, &out,
	    &nout, &e), 0);
	assert_int_equal(e.code, MERR_AMBIGUOUS_REVISION);
	assert_int_not_equal(revgraph_resolve(g, "root+1", NULL, 0, &out,
	    &nout, &e), 0);
	assert_int_equal(e.code, MERR_AMBIGUOUS_REVISION);
	assert_int_equal(revgraph_resolve(g, "heads", NULL, 0, &out, &nout,
	    &e), 0);
	assert_int_equal(revgraph_plan(g, true, NULL, 0, out, nout, &p, &e),
	    0);
	free(out);
	assert_int_equal(p.n, BIG + 2);
	assert_int_equal(p.v[0].rev, 0);
	assert_int_equal(p.v[BIG + 1].rev, BIG + 1);
	for (i = 1; i <= BIG; i++)
		assert_int_equal(p.v[i].rev, i);
	rg_plan_clear(&p);
	merr_clear(&e);
	revgraph_free(g);
	set_free(&set);
}

/* A ring of BIG revisions: each reported once, message shortened. */
static void
test_ring_10k(void **state)
{
	struct migset set = { 0 };
	struct mdiag_list d = { 0 };
	struct revgraph *g = NULL;
	char id[16], parent[16], *s, *want;
	size_t i;

	for (i = 0; i < BIG; i++) {
		hash_id(id, sizeof id, i);
		hash_id(parent, sizeof parent, (i + BIG - 1) % BIG);
		set_add(&set, id, parent, NULL, NULL);
	}
	assert_int_equal(revgraph_build(&set, &g, &d), -EINVAL);
	assert_null(g);
	assert_int_equal(d.n, BIG);
	s = mdiag_format(&d.v[0]);
	hash_id(id, sizeof id, 0);
	want = xasprintf("%s.sql:2: cycle: %s -> ", id, id);
	assert_true(strncmp(s, want, strlen(want)) == 0);
	free(want);
	want = xasprintf(" ... -> %s (%d revisions)", id, BIG);
	assert_true(strlen(s) > strlen(want));
	assert_string_equal(s + strlen(s) - strlen(want), want);
	free(want);
	free(s);
	mdiag_clear(&d);
	set_free(&set);
}

/* A 2-cycle at the top of a long chain: only the two are reported. */
static void
test_cycle_above_chain(void **state)
{
	struct migset set = { 0 };
	struct mdiag_list d = { 0 };
	struct revgraph *g = NULL;
	char id[16], parent[16], *s;
	size_t i;

	set_add(&set, "aaaa", "bbbb", NULL, NULL);
	set_add(&set, "bbbb", "aaaa", NULL, NULL);
	for (i = 0; i < BIG; i++) {
		hash_id(id, sizeof id, i + 1);
		if (i > 0)
			hash_id(parent, sizeof parent, i);
		set_add(&set, id, i > 0 ? parent : "bbbb", NULL, NULL);
	}
	assert_int_equal(revgraph_build(&set, &g, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	mdiag_sort(&d);
	s = mdiag_format(&d.v[0]);
	assert_string_equal(s, "aaaa.sql:2: cycle: aaaa -> bbbb -> aaaa");
	free(s);
	s = mdiag_format(&d.v[1]);
	assert_string_equal(s, "bbbb.sql:2: cycle: bbbb -> aaaa -> bbbb");
	free(s);
	mdiag_clear(&d);
	set_free(&set);
}

/* ---- small API cases ---- */

static void
test_empty_graph(void **state)
{
	struct migset set = { 0 };
	struct revgraph *g;
	struct rg_plan p = { 0 };
	struct merr e = { 0 };
	size_t *out = NULL, nout = 7;
	const char *row = "abcd";

	revgraph_free(NULL);
	rg_plan_clear(NULL);
	assert_int_equal(revgraph_build(&set, &g, NULL), 0);
	assert_int_equal(g->n, 0);
	assert_int_equal(g->nheads, 0);
	assert_int_equal(revgraph_find(g, "abcd"), -1);
	assert_int_equal(revgraph_find_label(g, "abcd"), -1);
	assert_int_equal(revgraph_resolve(g, "head", NULL, 0, &out, &nout,
	    &e), 0);
	assert_int_equal(nout, 0);
	assert_int_equal(revgraph_resolve(g, "heads", NULL, 0, &out, &nout,
	    &e), 0);
	assert_int_equal(nout, 0);
	assert_int_equal(revgraph_resolve(g, "+0", NULL, 0, &out, &nout, &e),
	    0);
	assert_int_equal(nout, 0);
	assert_int_not_equal(revgraph_resolve(g, "+1", NULL, 0, &out, &nout,
	    &e), 0);
	assert_int_equal(e.code, MERR_REVISION_NOT_FOUND);
	assert_string_equal(e.message,
	    "relative revision +1 goes past the head");
	assert_string_equal(e.revision, "+1");
	assert_int_not_equal(revgraph_lookup(g, "abcd", &nout, &e), 0);
	assert_int_equal(e.code, MERR_REVISION_NOT_FOUND);
	assert_int_equal(revgraph_plan(g, true, NULL, 0, NULL, 0, &p, &e),
	    0);
	assert_int_equal(p.n, 0);
	assert_int_equal(revgraph_plan(g, false, NULL, 0, NULL, 0, &p, &e),
	    0);
	assert_int_equal(p.n, 0);
	rg_plan_clear(&p);
	assert_int_equal(revgraph_state(g, NULL, 0), RG_CURRENT);
	assert_int_equal(revgraph_state(g, &row, 1), RG_AHEAD);
	merr_clear(&e);
	revgraph_free(g);
}

static void
test_state_names(void **state)
{
	assert_string_equal(rg_state_name(RG_UNKNOWN), "unknown");
	assert_string_equal(rg_state_name(RG_DIRTY), "dirty");
	assert_string_equal(rg_state_name(RG_AHEAD), "ahead");
	assert_string_equal(rg_state_name(RG_CURRENT), "current");
	assert_string_equal(rg_state_name(RG_BEHIND), "behind");
	assert_string_equal(rg_state_name(RG_DIVERGED), "diverged");
	assert_string_equal(rg_state_name((enum rg_state)99), "unknown");
}

/* Closure adds to what is marked; build without diags still fails. */
static void
test_closure_and_null_diags(void **state)
{
	struct migset set = { 0 };
	struct revgraph *g = NULL;
	bool applied[3] = { false, false, true };
	size_t row = 0, out[3];

	set_add(&set, "aaaa", "none", NULL, NULL);
	set_add(&set, "bbbb", "aaaa", NULL, NULL);
	set_add(&set, "cccc", "none", NULL, NULL);
	assert_int_equal(revgraph_build(&set, &g, NULL), 0);
	revgraph_closure(g, &row, 1, applied);
	assert_true(applied[0]);
	assert_false(applied[1]);
	assert_true(applied[2]);
	assert_int_equal(revgraph_rows_of(g, applied, out), 2);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 2);
	revgraph_free(g);
	set_free(&set);

	set_add(&set, "aaaa", "zzzz", NULL, NULL);
	g = NULL;
	assert_int_equal(revgraph_build(&set, &g, NULL), -EINVAL);
	assert_null(g);
	set_free(&set);
}


/*
 * revgraph_rows_step() is revgraph_rows_of() after one mark changed: on
 * random graphs (merges, depends_on), random applied closures, every
 * revision's mark flipped.
 */
static void
test_rows_step(void **state)
{
	struct migset set = { 0 };
	struct revgraph *g = NULL;
	char id[16], down[64], deps[32];
	bool applied[40];
	size_t rows[41], want[41], got[41 + 40], row, nrows, nwant, ngot;
	size_t i, k, round, rev, ndown, first, dep, nbuilt = 0;
	unsigned seed = 12345;

	(void)state;
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 40; i++) {
			snprintf(id, sizeof id, "r%03zu", i);
			down[0] = deps[0] = '\0';
			/* 1-3 distinct parents from first on, wrapping */
			ndown = i > 0 ? (size_t)(1 + rand_r(&seed) % 3) : 0;
			ndown = ndown < i ? ndown : i;
			first = i > 0 ? (size_t)rand_r(&seed) % i : 0;
			for (k = 0; k < ndown; k++)
				snprintf(down + strlen(down), sizeof down -
				    strlen(down), "%sr%03zu", down[0] != '\0' ?
				    "," : "", (first + k) % i);
			dep = i > 0 ? (size_t)rand_r(&seed) % i : 0;
			if (i > 1 && rand_r(&seed) % 4 == 0 &&
			    (dep + i - first) % i >= ndown)
				snprintf(deps, sizeof deps, "r%03zu", dep);
			set_add(&set, id, down[0] != '\0' ? down : "none",
			    deps[0] != '\0' ? deps : NULL, NULL);
		}
		if (revgraph_build(&set, &g, NULL) != 0) {
			set_free(&set);	/* a duplicate parent: draw again */
			continue;
		}
		nbuilt++;
		memset(applied, 0, sizeof applied);
		row = rand_r(&seed) % 40;
		revgraph_closure(g, &row, 1, applied);
		for (rev = 0; rev < 40; rev++) {
			nrows = revgraph_rows_of(g, applied, rows);
			applied[rev] = !applied[rev];
			nwant = revgraph_rows_of(g, applied, want);
			ngot = revgraph_rows_step(g, applied, rows, nrows, rev,
			    got);
			assert_int_equal(ngot, nwant);
			for (i = 0; i < nwant; i++)
				assert_int_equal(got[i], want[i]);
			if (rand_r(&seed) % 2 == 0)
				applied[rev] = !applied[rev];
		}
		revgraph_free(g);
		g = NULL;
		set_free(&set);
	}
	assert_true(nbuilt >= 10);
}

/* Fifteen revisions sharing a prefix: ambiguity names ten of them. */
static void
test_ambiguous_list(void **state)
{
	struct migset set = { 0 };
	struct revgraph *g;
	struct merr e = { 0 };
	char id[16];
	size_t i, x;

	for (i = 15; i >= 1; i--) {
		snprintf(id, sizeof id, "abcd%04zu", i);
		set_add(&set, id, "none", NULL, NULL);
	}
	assert_int_equal(revgraph_build(&set, &g, NULL), 0);
	assert_int_not_equal(revgraph_lookup(g, "abcd", &x, &e), 0);
	assert_int_equal(e.code, MERR_AMBIGUOUS_REVISION);
	assert_string_equal(e.message, "revision prefix abcd is ambiguous "
	    "(abcd0001, abcd0002, abcd0003, abcd0004, abcd0005, abcd0006, "
	    "abcd0007, abcd0008, abcd0009, abcd0010, ... (15 in all))");
	assert_string_equal(e.revision, "abcd");
	assert_int_equal(revgraph_lookup(g, "abcd0015", &x, &e), 0);
	assert_int_equal(x, 0);
	assert_int_equal(revgraph_lookup(g, "abcd001", &x, &e), -EINVAL);
	assert_int_equal(e.code, MERR_AMBIGUOUS_REVISION);
	merr_clear(&e);
	revgraph_free(g);
	set_free(&set);
}

static const char *const data_files[] = {
	"linear",
	"branches",
	"merge",
	"depends",
	"depends-label",
	"labels",
	"specifiers",
	"err-unknown",
	"err-cycle",
	"err-labels",
	"err-mixed",
	"err-depends-label",
	"empty",
};

int
main(void)
{
	struct CMUnitTest tests[ARRAY_LEN(data_files) + 16];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_LEN(data_files); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_data_file, (void *)data_files[i]);
		tests[n++].name = data_files[i];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_chain_10k);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_chain_10k_reversed);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_wide_10k);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_ring_10k);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_cycle_above_chain);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_empty_graph);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_state_names);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_closure_and_null_diags);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_ambiguous_list);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_rows_step);
	return _cmocka_run_group_tests("revgraph", tests, n, NULL, NULL);
}
