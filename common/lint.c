/* SPDX-License-Identifier: MIT */
/* lint.c: the lint engine: plan walk, transactions, findings, suppression. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint-int.h"
#include "migfile.h"

/*
 * Sections are linted in plan order. Each statement is parsed, handed to
 * the handler of its node type (handlers[] below), then its effects go
 * into the model, so a rule sees the schema as it is before its
 * statement (doc/lint.md §4-5).
 */

static const struct {
	PgQuery__Node__NodeCase node;
	lint_handler_fn *fn;
} handlers[] = {
	{ PG_QUERY__NODE__NODE_INDEX_STMT, lint_index_create },
	{ PG_QUERY__NODE__NODE_DROP_STMT, lint_index_drop },
	{ PG_QUERY__NODE__NODE_DROP_STMT, lint_misc_drop },
	{ PG_QUERY__NODE__NODE_REINDEX_STMT, lint_index_reindex },
	{ PG_QUERY__NODE__NODE_ALTER_TABLE_STMT, lint_alter_table },
	{ PG_QUERY__NODE__NODE_RENAME_STMT, lint_misc_rename },
	{ PG_QUERY__NODE__NODE_ALTER_ENUM_STMT, lint_misc_enum },
	{ PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT, lint_misc_refresh },
	{ PG_QUERY__NODE__NODE_VACUUM_STMT, lint_misc_vacuum },
	{ PG_QUERY__NODE__NODE_CLUSTER_STMT, lint_misc_cluster },
	{ PG_QUERY__NODE__NODE_TRUNCATE_STMT, lint_misc_truncate },
	{ PG_QUERY__NODE__NODE_LOCK_STMT, lint_misc_lock },
	{ PG_QUERY__NODE__NODE_UPDATE_STMT, lint_misc_dml },
	{ PG_QUERY__NODE__NODE_DELETE_STMT, lint_misc_dml },
	{ PG_QUERY__NODE__NODE_VARIABLE_SET_STMT, lint_misc_set },
	{ PG_QUERY__NODE__NODE_CREATEDB_STMT, lint_misc_no_txn },
	{ PG_QUERY__NODE__NODE_DROPDB_STMT, lint_misc_no_txn },
	{ PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT, lint_misc_no_txn },
	{ PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT, lint_misc_no_txn },
	{ PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT, lint_misc_no_txn },
};

struct lint *
lint_new(const struct lint_opts *o)
{
	struct lint *l;

	l = xcalloc(1, sizeof *l);
	l->o = *o;
	l->scratch = (struct arena)ARENA_INIT(16 * 1024);
	l->version = o->server_version;
	if (o->facts != NULL && lint_facts_version(o->facts) > 0)
		l->version = lint_facts_version(o->facts);
	lint_model_init(&l->model);
	if (o->atomic)
		l->txn = 1;
	return l;
}

static void
lint_strv_clear(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

static void
lint_backfill_clear(struct lint *l)
{
	size_t i;

	for (i = 0; i < l->nbackfill; i++) {
		free(l->backfill[i].table);
		free(l->backfill[i].size);
	}
	free(l->backfill);
	l->backfill = NULL;
	l->nbackfill = 0;
}

void
lint_free(struct lint *l)
{
	if (l == NULL)
		return;
	lint_findings_clear(&l->out);
	lint_model_clear(&l->model);
	free(l->allow_used);
	lint_backfill_clear(l);
	lint_strv_clear(&l->dropped_ifx, &l->ndropped_ifx);
	lint_strv_clear(&l->locks, &l->nlocks);
	lint_strv_clear(&l->newlabels, &l->nnewlabels);
	arena_clear(&l->scratch);
	free(l);
}

void
lint_findings_clear(struct lint_findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].file);
		free(f->v[i].revision);
		free(f->v[i].msg);
		free(f->v[i].suppressed);
	}
	free(f->v);
	memset(f, 0, sizeof *f);
}

bool
lint_in_txn(const struct lint *l)
{
	return l->o.atomic || (l->mf != NULL && l->mf->transactional);
}

void
lint_split_qname(const char *q, char **schema, char **name)
{
	const char *dot = strchr(q, '.');

	*schema = dot != NULL ? xmemdup(q, (size_t)(dot - q)) : NULL;
	*name = xstrdup(dot != NULL ? dot + 1 : q);
}

char *
lint_qname(const char *schema, const char *name)
{
	if (schema != NULL && *schema != '\0')
		return xasprintf("%s.%s", schema, name);
	return xstrdup(name);
}

/* ---- suppression (doc/lint.md §7) ---- */

/* True if the comma/blank separated list names the rule. */
static bool
lint_list_names(const char *list, const struct lint_rule *rule)
{
	const char *p = list, *e, *q;
	size_t n;

	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0')
			return false;
		n = strcspn(p, ", \t");
		if (strlen(rule->id) == n && memcmp(rule->id, p, n) == 0)
			return true;
		for (q = rule->squawk; q != NULL && *q != '\0'; q = e) {
			e = strchr(q, ',');
			if (e == NULL)
				e = q + strlen(q);
			if ((size_t)(e - q) == n && memcmp(q, p, n) == 0)
				return true;
			if (*e == ',')
				e++;
		}
		p += n;
	}
}

/* Line range of the section being linted: (first, last]. */
static void
lint_section_lines(const struct lint *l, int *first, int *last)
{
	const struct migfile_section *me, *other;

	me = l->up ? &l->mf->up : &l->mf->down_sec;
	other = l->up ? &l->mf->down_sec : &l->mf->up;
	*first = me->line;
	*last = other->present && other->line > me->line ? other->line :
	    1 << 30;
}

/*
 * A squawk-ignore comment covers the statement that starts after it
 * (no other statement starting in between), and a finding on the line
 * right after it; squawk-ignore-file covers the file. A bare one covers
 * every rule, as in squawk.
 */
static bool
lint_squawk_ignored(const struct lint *l, const struct lint_rule *rule,
    int line)
{
	const struct migfile *mf = l->mf;
	const char *t;
	int first, last, prev;
	size_t i;

	lint_section_lines(l, &first, &last);
	prev = first;
	if (l->cur.index > 0)
		prev = l->stmts->v[l->cur.index - 1].line;
	for (i = 0; i < mf->nnotes; i++) {
		t = mf->notes[i].text;
		if (strncmp(t, "squawk-ignore-file", 18) == 0) {
			if (t[18] == '\0' || lint_list_names(t + 18, rule))
				return true;
			continue;
		}
		if (t[13] != '\0' && t[13] != ' ' && t[13] != '\t')
			continue;
		if (mf->notes[i].line <= first || mf->notes[i].line >= last)
			continue;
		if (!((mf->notes[i].line >= prev &&
		    mf->notes[i].line < l->cur.line) ||
		    mf->notes[i].line + 1 == line))
			continue;
		if (t[13] == '\0' || lint_list_names(t + 13, rule))
			return true;
	}
	return false;
}

/* The reason a finding of rule at line is allowed, or NULL. */
static char *
lint_suppressed(struct lint *l, const struct lint_rule *rule, int line)
{
	const struct migfile *mf = l->mf;
	size_t i;

	if (rule == &lint_rules[LR_ALLOW_UNKNOWN] ||
	    rule == &lint_rules[LR_ALLOW_UNUSED])
		return NULL;
	for (i = 0; i < mf->nallow; i++)
		if (strcmp(mf->allow[i].rule, rule->id) == 0) {
			l->allow_used[i] = true;
			return xstrdup(mf->allow[i].reason);
		}
	if (lint_squawk_ignored(l, rule, line))
		return xstrdup("squawk-ignore");
	return NULL;
}

/* ---- findings ---- */

static void
lint_add(struct lint *l, enum lint_rule_id rule, enum lint_sev sev,
    int line, int col, char *msg)
{
	struct lint_finding *f;

	if (l->out.n == l->out.cap) {
		l->out.cap = l->out.cap != 0 ? l->out.cap * 2 : 16;
		l->out.v = xreallocarray(l->out.v, l->out.cap, sizeof *l->out.v);
	}
	f = &l->out.v[l->out.n++];
	memset(f, 0, sizeof *f);
	f->rule = &lint_rules[rule];
	f->sev = sev;
	f->file = xstrdup(l->mf->path);
	f->revision = xstrdup(l->mf->revision);
	f->line = line;
	f->col = col;
	f->msg = msg;
	f->suppressed = lint_suppressed(l, f->rule, line);
}

static void MIG_PRINTF(6, 0)
lint_vreport(struct lint *l, enum lint_rule_id rule, enum lint_sev sev,
    int loc, const char *suffix, const char *fmt, va_list ap)
{
	int line, col;
	char *msg, *full;

	lint_pg_locate(&l->cur, loc, &line, &col);
	msg = xvasprintf(fmt, ap);
	if (suffix != NULL) {
		full = xasprintf("%s %s", msg, suffix);
		free(msg);
		msg = full;
	}
	lint_add(l, rule, sev, line, col, msg);
}

void
lint_report(struct lint *l, enum lint_rule_id rule, enum lint_sev sev,
    int loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lint_vreport(l, rule, sev, loc, NULL, fmt, ap);
	va_end(ap);
}

/* "(~1234 rows, 56 MB)" for a table the catalog knows. Caller frees. */
static char *
lint_size_text(const struct lm_rel *r)
{
	static const char *const unit[] = { "bytes", "kB", "MB", "GB", "TB" };
	double b = (double)r->bytes;
	size_t u = 0;

	while (b >= 1024 && u + 1 < ARRAY_LEN(unit)) {
		b /= 1024;
		u++;
	}
	if (r->reltuples < 0)
		return xasprintf("(never analyzed, %.0f %s)", b, unit[u]);
	return xasprintf("(~%.0f rows, %.0f %s)", r->reltuples, b, unit[u]);
}

void
lint_report_table(struct lint *l, enum lint_rule_id rule, int loc,
    const char *schema, const char *name, const char *fmt, ...)
{
	struct lm_rel *r = NULL;
	enum lt_state st;
	enum lint_sev sev = lint_rules[rule].sev;
	char *size = NULL;
	va_list ap;

	st = lint_table_state(l, schema, name, &r);
	if (st == LT_NEW)
		return;
	if (st == LT_SMALL)
		sev = LINT_NOTE;
	if (r != NULL && r->catalog && (st == LT_SMALL || st == LT_LARGE))
		size = lint_size_text(r);
	va_start(ap, fmt);
	lint_vreport(l, rule, sev, loc, size, fmt, ap);
	va_end(ap);
	free(size);
}

/* ---- tables: model and facts ---- */

struct lm_rel *
lint_rel(struct lint *l, const char *schema, const char *name)
{
	struct lm_rel *r;
	bool use_facts = l->pending && l->o.facts != NULL;

	r = lm_rel_find(&l->model, schema, name);
	if (r != NULL && (r->catalog || r->in_plan_only || !use_facts))
		return r;
	if (!use_facts || !lint_facts_rel(l->o.facts, schema, name, NULL))
		return r;
	/* The catalog is the truth about an existing table. */
	if (r != NULL)
		lm_rel_forget(&l->model, r);
	r = lm_rel_get(&l->model, schema, name);
	lint_facts_rel(l->o.facts, schema, name, r);
	return r;
}

enum lt_state
lint_table_state(struct lint *l, const char *schema, const char *name,
    struct lm_rel **out)
{
	struct lm_rel *r;

	r = lint_rel(l, schema, name);
	if (out != NULL)
		*out = r;
	if (r == NULL)
		return LT_UNKNOWN;
	if (r->created && r->txn == l->txn)
		return LT_NEW;
	if (r->in_plan_only)
		return LT_NEW;
	if (r->catalog && l->pending && l->o.facts != NULL) {
		if (r->reltuples < 0)
			return LT_UNKNOWN;	/* never analyzed: no size */
		if (r->bytes < LINT_SMALL_BYTES &&
		    r->reltuples < LINT_SMALL_ROWS)
			return LT_SMALL;
		return LT_LARGE;
	}
	return LT_UNKNOWN;
}

void
lint_lock_ae(struct lint *l, const char *schema, const char *name)
{
	char *q;
	size_t i;

	if (lint_table_state(l, schema, name, NULL) == LT_NEW)
		return;
	q = lint_qname(schema, name);
	for (i = 0; i < l->nlocks; i++)
		if (strcmp(l->locks[i], q) == 0) {
			free(q);
			return;
		}
	if (l->nlocks >= 1000) {
		free(q);
		return;
	}
	l->locks = xreallocarray(l->locks, l->nlocks + 1, sizeof *l->locks);
	l->locks[l->nlocks++] = q;
}

const char *const *
lint_section_locks(const struct lint *l, size_t *n)
{
	*n = l->nlocks;
	return (const char *const *)l->locks;
}

/* ---- sections and statements ---- */

size_t
lint_section_begin(struct lint *l, const struct migfile *mf, bool up,
    bool pending)
{
	const struct migfile_section *sec = up ? &mf->up : &mf->down_sec;
	size_t i;

	l->mf = mf;
	l->up = up;
	l->pending = pending;
	l->stmts = &sec->stmts;
	l->first_finding = l->out.n;
	l->ddl = false;
	free(l->allow_used);
	l->allow_used = xcalloc(mf->nallow + 1, sizeof *l->allow_used);
	lint_backfill_clear(l);
	lint_strv_clear(&l->dropped_ifx, &l->ndropped_ifx);
	lint_strv_clear(&l->locks, &l->nlocks);
	if (mf->transactional && !l->o.atomic)
		l->txn++;
	memset(&l->cur, 0, sizeof l->cur);
	l->cur.mf = mf;
	l->cur.line = 1;
	l->cur.col = 1;
	for (i = 0; i < mf->nallow; i++)
		if (lint_rule_find(mf->allow[i].rule) == NULL) {
			l->cur.line = mf->allow[i].line;
			lint_report(l, LR_ALLOW_UNKNOWN, LINT_WARNING, -1,
			    "lint_allow names no rule \"%s\"",
			    mf->allow[i].rule);
			l->allow_used[i] = true;
		}
	lint_misc_header(l);
	return sec->present ? sec->stmts.n : 0;
}

static void
lint_long_ident(void *arg, int loc, size_t bytes)
{
	struct lint *l = arg;

	lint_report(l, LR_IDENT_TOO_LONG, LINT_WARNING, loc, "identifier of "
	    "%zu bytes: PostgreSQL keeps only its first 63", bytes);
}

static void
lint_dispatch(struct lint *l, const PgQuery__RawStmt *rs)
{
	const PgQuery__Node *n = rs->stmt;
	int loc = rs->stmt_location;
	size_t i;

	if (n == NULL)
		return;
	if (lint_is_ddl(n))
		l->ddl = true;
	if (l->nnewlabels > 0 && l->newlabels_txn == l->txn)
		lint_misc_enum_use(l, n);
	for (i = 0; i < ARRAY_LEN(handlers); i++)
		if (handlers[i].node == n->node_case)
			handlers[i].fn(l, n, loc);
	if (!lint_in_txn(l))
		lint_nt_idempotent(l, n, loc);
	lint_model_apply(l, n);
}

void
lint_stmt(struct lint *l, size_t i)
{
	const struct split_stmt *st = &l->stmts->v[i];
	PgQuery__ParseResult *t;
	char *msg;
	int pos;
	size_t k;

	l->cur.sql = st->sql;
	l->cur.len = st->len;
	l->cur.line = st->line;
	l->cur.col = st->col > 0 ? st->col : 1;
	l->cur.index = i;
	if (!lint_in_txn(l))
		l->txn++;
	arena_reset(&l->scratch);
	if ((t = lint_trees_parse(l->o.trees, &l->scratch, st->sql, &msg,
	    &pos)) == NULL) {
		lint_report(l, LR_UNPARSED, LINT_NOTE, pos, "not parsed by the "
		    "PostgreSQL %s grammar: %s", PG_MAJORVERSION, msg);
		free(msg);
		l->ddl = true;	/* unknown: assume it may be DDL */
		return;
	}
	if (t->n_stmts > 1) {
		pos = t->stmts[1]->stmt_location;
		while (pos >= 0 && (size_t)pos < st->len &&
		    strchr(" \t\r\n", st->sql[pos]) != NULL)
			pos++;
		lint_report(l, LR_SPLIT, LINT_NOTE, pos, "the splitter's piece "
		    "holds %zu statements for PostgreSQL; the second starts "
		    "here", t->n_stmts);
	}
	l->tree = t;
	for (k = 0; k < t->n_stmts; k++)
		lint_dispatch(l, t->stmts[k]);
	l->tree = NULL;
	lint_pg_long_idents(st->sql, st->len, lint_long_ident, l);
	arena_reset(&l->scratch);
}

static int
lint_cmp_pos(const void *a, const void *b)
{
	const struct lint_finding *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

void
lint_section_end(struct lint *l)
{
	const struct migfile *mf = l->mf;
	size_t i;

	lint_misc_backfill_end(l);
	for (i = 0; i < mf->nallow && !l->o.keep_unused_allows; i++) {
		if (l->allow_used[i])
			continue;
		l->cur.line = mf->allow[i].line;
		l->cur.col = 1;
		l->cur.len = 0;
		lint_report(l, LR_ALLOW_UNUSED, LINT_NOTE, -1, "lint_allow %s "
		    "silenced nothing in this %s section", mf->allow[i].rule,
		    l->up ? "upgrade" : "downgrade");
	}
	if (l->out.n - l->first_finding > 1)
		qsort(l->out.v + l->first_finding, l->out.n -
		    l->first_finding, sizeof *l->out.v, lint_cmp_pos);
}

void
lint_section(struct lint *l, const struct migfile *mf, bool up, bool pending)
{
	size_t i, n;

	n = lint_section_begin(l, mf, up, pending);
	for (i = 0; i < n; i++)
		lint_stmt(l, i);
	lint_section_end(l);
}

const struct lint_findings *
lint_results(const struct lint *l)
{
	return &l->out;
}

size_t
lint_count(const struct lint *l, enum lint_sev sev)
{
	size_t i, n = 0;

	for (i = 0; i < l->out.n; i++)
		if (l->out.v[i].suppressed == NULL && l->out.v[i].sev >= sev)
			n++;
	return n;
}
