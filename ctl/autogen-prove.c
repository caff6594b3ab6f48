/* SPDX-License-Identifier: MIT */
/* autogen-prove.c: apply the plan on scratch database A and check it (§7). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

static const char *const ag_phase_names[] = { "pre", "main", "online" };

/* The relation's file node, or "" when it does not exist. */
static char *
ag_filenode(PGconn *c, const char *rel)
{
	const char *vals[1] = { rel };
	PGresult *res;
	char *s;

	res = PQexecParams(c, "SELECT pg_relation_filenode(to_regclass($1))",
	    1, NULL, vals, NULL, NULL, 0);
	s = xstrdup(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return s;
}

struct ag_emit {
	struct ag_msgs *to;
	const char *prefix;
};

static void
ag_emit_line(void *arg, const char *line)
{
	struct ag_emit *e = arg;

	/* unmodelled objects are reported, never planned */
	if (strstr(line, " unmodelled ") == line + 1)
		return;
	ag_msgs_add(e->to, "%s%s", e->prefix, line);
}

/* Run one action's text on c, statement by statement. */
static int
ag_run_action(struct ag_plan *p, PGconn *c, struct ag_action *x, bool down,
    enum ag_phase ph, struct ag_proof *proof)
{
	const char *text = ag_act_text(x, down);
	char *copy, *before = NULL, *after;
	struct merr err = { 0 };
	int r;

	if (text == NULL || *text == '\0')
		return 0;
	if (!down && x->table != NULL)
		before = ag_filenode(c, x->table);
	copy = xstrdup(text);
	r = ag_apply_sql(c, x->what, copy, strlen(copy), &err);
	free(copy);
	if (r < 0) {
		ag_msgs_add(&proof->residual, "%s of revision %d (%s) failed "
		    "at: %s\n  %s", down ? "downgrade" : "upgrade",
		    (int)ph + 1, ag_phase_names[ph], text,
		    err.message ? err.message : "error");
		merr_clear(&err);
		free(before);
		return r;
	}
	if (before != NULL) {
		after = ag_filenode(c, x->table);
		/* what happened wins over what was predicted */
		x->rewrite = *before != '\0' && *after != '\0' &&
		    strcmp(before, after) != 0;
		free(after);
		free(before);
	}
	(void)p;
	return 0;
}

static int
ag_run_phase(struct ag_plan *p, PGconn *c, enum ag_phase ph, bool down,
    struct ag_proof *proof)
{
	size_t *idx = xcalloc(p->norder ? p->norder : 1, sizeof(size_t));
	size_t n = ag_plan_stmts(p, ph, down, idx), i;
	bool tx = ph != AG_ONLINE;
	struct merr err = { 0 };
	int r = 0;

	if (tx && (r = ag_exec(c, "BEGIN", &err)) < 0)
		goto out;
	for (i = 0; r == 0 && i < n; i++)
		r = ag_run_action(p, c, &p->acts[idx[i]], down, ph, proof);
	if (tx) {
		if (r == 0)
			r = ag_exec(c, "COMMIT", &err);
		else
			MIG_IGNORE(ag_exec(c, "ROLLBACK", NULL));
	}
out:
	if (r < 0 && err.message != NULL)
		ag_msgs_add(&proof->residual, "%s", err.message);
	merr_clear(&err);
	free(idx);
	return r;
}

/* Compare the live catalog of c with want; residual lines on mismatch. */
static int
ag_check(PGconn *c, const char *const *exclude, const struct catalog *want,
    const char *prefix, struct ag_proof *proof)
{
	struct catalog *now = NULL;
	struct merr err = { 0 };
	struct ag_emit e = { &proof->residual, prefix };
	size_t before = proof->residual.n;

	if (ag_read_catalog(c, exclude, &now, &err) < 0) {
		ag_msgs_add(&proof->residual, "%scannot read the catalog: %s",
		    prefix, err.message);
		merr_clear(&err);
		return -EIO;
	}
	(void)catalog_compare(now, want, ag_emit_line, &e);
	catalog_free(now);
	return proof->residual.n > before ? -EINVAL : 0;
}

int
ag_prove(struct ag_plan *p, PGconn *c, const struct catalog *a0,
    const char *const *exclude, struct ag_proof *proof)
{
	enum ag_phase ph[AG_NPHASES];
	size_t n = ag_plan_phases(p, ph), i;
	bool reversible = true;
	int r = 0;

	proof->ok = false;
	proof->down = false;
	for (i = 0; i < n && r == 0; i++)
		r = ag_run_phase(p, c, ph[i], false, proof);
	ag_tick("proof: upgrade applied");
	if (r < 0)
		return 0;
	if (ag_check(c, exclude, p->b, "after the upgrade, ", proof) < 0)
		return 0;
	ag_tick("proof: catalog read");
	for (i = 0; i < n; i++)
		reversible = reversible && ag_plan_reversible(p, ph[i]);
	for (i = n; reversible && i-- > 0 && r == 0;)
		r = ag_run_phase(p, c, ph[i], true, proof);
	if (r < 0)
		return 0;
	if (reversible &&
	    ag_check(c, exclude, a0, "after the downgrade, ", proof) < 0)
		return 0;
	proof->down = reversible;
	proof->ok = !ag_interrupted();
	return ag_interrupted() ? -EINTR : 0;
}
