/* SPDX-License-Identifier: MIT */
/* lint-bound.c: do a table's CHECKs imply a partition bound? */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"

/*
 * ATTACH PARTITION skips its scan when the table's validated CHECKs and
 * NOT NULL columns imply the partition constraint (PostgreSQL's
 * PartConstraintImpliedByRelConstraint, predicate_implied_by). This is the
 * common part of that proof, on parse trees (doc/lint.md §4): a CHECK is
 * cut into the conjuncts that bound one column by constants (col op
 * const, BETWEEN, IN, = ANY (ARRAY[...]), IS NOT NULL); a range bound
 * FROM (a) TO (b) of a one-column key needs key >= c with c >= a (or > c,
 * = c), key < c with c <= b (or <= c, = c with c < b) and key NOT NULL; a
 * list bound needs key IN (...) or key = c within the list, and NOT NULL
 * unless the list has NULL. Constants compare as numbers for numeric
 * keys, as ISO dates and times for date and timestamp keys, otherwise
 * only when their text is equal. Anything else is "not proved".
 */

#define LINT_BOUND_MAX_ATOMS 64
#define LINT_BOUND_MAX_LIST 100	/* predtest.c's MAX_SAOP_ARRAY_SIZE */
#define LINT_BOUND_MAX_DEF 8192

/* ---- constants and columns of the parse tree ---- */

static bool
lint_bound_val(const PgQuery__Node *n, struct lm_val *v)
{
	const PgQuery__AConst *c;
	const char *s;

	while (n != NULL && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
		n = n->type_cast->arg;
	if (n != NULL && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
	    n->column_ref->n_fields == 1 &&
	    (s = lint_pg_str(n->column_ref->fields[0])) != NULL &&
	    (strcmp(s, "minvalue") == 0 || strcmp(s, "maxvalue") == 0)) {
		v->kind = s[1] == 'i' ? 'm' : 'M';
		v->s = xstrdup(s);
		return true;
	}
	if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_A_CONST)
		return false;
	c = n->a_const;
	if (c->isnull) {
		v->kind = '0';
		v->s = xstrdup("NULL");
		return true;
	}
	switch (c->val_case) {
	case PG_QUERY__A__CONST__VAL_IVAL:
		v->kind = 'i';
		v->s = xasprintf("%d", (int)c->ival->ival);
		return true;
	case PG_QUERY__A__CONST__VAL_FVAL:
		v->kind = 'f';
		v->s = xstrdup(c->fval->fval);
		return true;
	case PG_QUERY__A__CONST__VAL_SVAL:
		v->kind = 's';
		v->s = xstrdup(c->sval->sval);
		return true;
	default:
		return false;
	}
}

static void
lint_bound_vals_free(struct lm_val *v, size_t n)
{
	while (n > 0)
		free(v[--n].s);
	free(v);
}

/* The constants of a list (IN (...), ARRAY[...]); false if one is not. */
static bool
lint_bound_vals(PgQuery__Node *const *items, size_t n, struct lm_val **out)
{
	struct lm_val *v;
	size_t i;

	if (n == 0 || n > LINT_BOUND_MAX_LIST)
		return false;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++)
		if (!lint_bound_val(items[i], &v[i])) {
			lint_bound_vals_free(v, i);
			return false;
		}
	*out = v;
	return true;
}

/* The column of a plain reference (or of col::text: *textcast), or NULL. */
static const char *
lint_bound_col(const PgQuery__Node *n, bool *textcast)
{
	const PgQuery__TypeCast *tc;

	*textcast = false;
	if (n != NULL && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
		tc = n->type_cast;
		if (tc->type_name == NULL ||
		    tc->type_name->n_array_bounds > 0 ||
		    strcmp(lint_pg_last(tc->type_name->names,
		    tc->type_name->n_names), "text") != 0)
			return NULL;
		*textcast = true;
		n = tc->arg;
	}
	if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
	    n->column_ref->n_fields != 1)
		return NULL;
	return lint_pg_str(n->column_ref->fields[0]);
}

/* ---- a CHECK's conjuncts ---- */

static void
lint_bound_add(struct lm_con *c, const char *col, bool textcast, char op,
    struct lm_val *v, size_t nv)
{
	struct lm_atom *a;

	if (c->natoms >= LINT_BOUND_MAX_ATOMS) {
		lint_bound_vals_free(v, nv);
		return;
	}
	c->atoms = xreallocarray(c->atoms, c->natoms + 1, sizeof *c->atoms);
	a = &c->atoms[c->natoms++];
	a->col = xstrdup(col);
	a->textcast = textcast;
	a->op = op;
	a->v = v;
	a->nv = nv;
}

/* col OP const or const OP col: op as lm_atom's, flipped if needed. */
static char
lint_bound_op(const char *name, bool flip)
{
	static const char *const ops[][3] = {
		{ "<", "<", ">" }, { "<=", "l", "g" }, { ">", ">", "<" },
		{ ">=", "g", "l" }, { "=", "=", "=" },
	};
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(name, ops[i][0]) == 0)
			return ops[i][flip ? 2 : 1][0];
	return 0;
}

static void
lint_bound_aexpr(struct lm_con *c, const PgQuery__AExpr *x)
{
	const PgQuery__Node *r = x->rexpr;
	struct lm_val *v, *w;
	const char *col, *name;
	bool tcast, flip = false;
	char op;

	if (x->n_name != 1 || (name = lint_pg_str(x->name[0])) == NULL)
		return;
	if ((col = lint_bound_col(x->lexpr, &tcast)) == NULL &&
	    x->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP) {
		col = lint_bound_col(x->rexpr, &tcast);
		r = x->lexpr;
		flip = true;
	}
	if (col == NULL || r == NULL)
		return;
	switch (x->kind) {
	case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
		if ((op = lint_bound_op(name, flip)) == 0)
			return;
		v = xcalloc(1, sizeof *v);
		if (!lint_bound_val(r, v) || v->kind == '0' ||
		    v->kind == 'm' || v->kind == 'M') {
			lint_bound_vals_free(v, 1);
			return;
		}
		lint_bound_add(c, col, tcast, op, v, 1);
		break;
	case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
		if (strcmp(name, "=") == 0 &&
		    r->node_case == PG_QUERY__NODE__NODE_LIST &&
		    lint_bound_vals(r->list->items, r->list->n_items, &v))
			lint_bound_add(c, col, tcast, 'i', v, r->list->n_items);
		break;
	case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
		while (r->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
		    r->type_cast->arg != NULL)
			r = r->type_cast->arg;
		if (strcmp(name, "=") == 0 &&
		    r->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR &&
		    lint_bound_vals(r->a_array_expr->elements,
		    r->a_array_expr->n_elements, &v))
			lint_bound_add(c, col, tcast, 'i', v,
			    r->a_array_expr->n_elements);
		break;
	case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
		if (r->node_case != PG_QUERY__NODE__NODE_LIST ||
		    r->list->n_items != 2 ||
		    !lint_bound_vals(r->list->items, 2, &v))
			return;
		if (v[0].kind == '0' || v[1].kind == '0' || v[0].kind == 'm' ||
		    v[0].kind == 'M' || v[1].kind == 'm' || v[1].kind == 'M') {
			lint_bound_vals_free(v, 2);
			return;
		}
		w = xcalloc(1, sizeof *w);
		*w = v[1];
		lint_bound_add(c, col, tcast, 'l', w, 1);
		v = xreallocarray(v, 1, sizeof *v);
		lint_bound_add(c, col, tcast, 'g', v, 1);
		break;
	default:
		break;
	}
}

static void
lint_bound_conj(struct lm_con *c, const PgQuery__Node *e, int depth)
{
	const char *col;
	bool tcast;
	size_t i;

	if (e == NULL || depth > 16)
		return;
	switch (e->node_case) {
	case PG_QUERY__NODE__NODE_BOOL_EXPR:
		if (e->bool_expr->boolop != PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR)
			return;
		for (i = 0; i < e->bool_expr->n_args; i++)
			lint_bound_conj(c, e->bool_expr->args[i], depth + 1);
		break;
	case PG_QUERY__NODE__NODE_NULL_TEST:
		if (e->null_test->nulltesttype ==
		    PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL &&
		    (col = lint_bound_col(e->null_test->arg, &tcast)) != NULL)
			lint_bound_add(c, col, tcast, 'n', NULL, 0);
		break;
	case PG_QUERY__NODE__NODE_A_EXPR:
		lint_bound_aexpr(c, e->a_expr);
		break;
	default:
		break;
	}
}

void
lint_bound_atoms(struct lm_con *c, const PgQuery__Node *e)
{
	lint_bound_conj(c, e, 0);
}

void
lint_bound_atoms_def(struct lm_con *c, const char *def)
{
	struct arena a = ARENA_INIT(16 * 1024);
	PgQuery__ParseResult *t;
	const PgQuery__Node *n;
	char *sql, *msg;
	int pos;

	if (def == NULL || strlen(def) > LINT_BOUND_MAX_DEF)
		return;
	sql = xasprintf("ALTER TABLE t ADD %s", def);
	t = lint_pg_parse(&a, sql, &msg, &pos);
	free(sql);
	free(msg);
	if (t != NULL && t->n_stmts == 1 && (n = t->stmts[0]->stmt) != NULL &&
	    n->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_STMT &&
	    n->alter_table_stmt->n_cmds == 1 &&
	    (n = n->alter_table_stmt->cmds[0])->node_case ==
	    PG_QUERY__NODE__NODE_ALTER_TABLE_CMD &&
	    (n = n->alter_table_cmd->def) != NULL &&
	    n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
	    n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_CHECK)
		lint_bound_atoms(c, n->constraint->raw_expr);
	arena_clear(&a);	/* the tree */
}

void
lint_bound_atoms_free(struct lm_con *c)
{
	size_t i;

	for (i = 0; i < c->natoms; i++) {
		free(c->atoms[i].col);
		lint_bound_vals_free(c->atoms[i].v, c->atoms[i].nv);
	}
	free(c->atoms);
	c->atoms = NULL;
	c->natoms = 0;
}

/* ---- comparing constants ---- */

struct lint_dec {
	int sign;
	const char *ip, *fp;	/* integer digits, fraction digits */
	size_t il, fl;
};

/* "[+-]digits[.digits]" without leading (integer) or trailing zeros. */
static bool
lint_bound_dec(const char *s, struct lint_dec *d)
{
	d->sign = 1;
	if (*s == '+' || *s == '-')
		d->sign = *s++ == '-' ? -1 : 1;
	for (d->ip = s; *s >= '0' && *s <= '9'; s++)
		;
	d->il = (size_t)(s - d->ip);
	d->fp = s;
	d->fl = 0;
	if (*s == '.') {
		for (d->fp = ++s; *s >= '0' && *s <= '9'; s++)
			;
		d->fl = (size_t)(s - d->fp);
	}
	if (*s != '\0' || d->il + d->fl == 0)
		return false;
	while (d->il > 0 && *d->ip == '0')
		d->ip++, d->il--;
	while (d->fl > 0 && d->fp[d->fl - 1] == '0')
		d->fl--;
	if (d->il == 0 && d->fl == 0)
		d->sign = 0;
	return true;
}

/* -1, 0, 1 as numbers; -2 if one is not a decimal. */
static int
lint_bound_deccmp(const char *a, const char *b)
{
	struct lint_dec x, y;
	size_t i;
	int r = 0;
	char cx, cy;

	if (!lint_bound_dec(a, &x) || !lint_bound_dec(b, &y))
		return -2;
	if (x.sign != y.sign)
		return x.sign < y.sign ? -1 : 1;
	if (x.il != y.il)
		r = x.il < y.il ? -1 : 1;
	else if ((r = memcmp(x.ip, y.ip, x.il)) != 0)
		r = r < 0 ? -1 : 1;
	for (i = 0; r == 0 && (i < x.fl || i < y.fl); i++) {
		cx = i < x.fl ? x.fp[i] : '0';
		cy = i < y.fl ? y.fp[i] : '0';
		if (cx != cy)
			r = cx < cy ? -1 : 1;
	}
	return x.sign < 0 ? -r : r;
}

struct lint_ts {
	int64_t days, usec;
	bool off;		/* has a UTC offset */
	int offmin;
};

/* n digits at *p into *v. */
static bool
lint_bound_digits(const char **p, int n, int *v)
{
	*v = 0;
	while (n-- > 0) {
		if (**p < '0' || **p > '9')
			return false;
		*v = *v * 10 + (*(*p)++ - '0');
	}
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
lint_bound_days(int y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* "YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][(+|-)HH[[:]MM]|Z]" */
static bool
lint_bound_iso(const char *s, struct lint_ts *t)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om = 0, nf = 0, sign;
	int64_t frac = 0;

	memset(t, 0, sizeof *t);
	if (!lint_bound_digits(&s, 4, &y) || *s++ != '-' ||
	    !lint_bound_digits(&s, 2, &mo) || *s++ != '-' ||
	    !lint_bound_digits(&s, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
	    d > 31)
		return false;
	if ((*s == ' ' || *s == 'T') && s[1] >= '0' && s[1] <= '9') {
		s++;
		if (!lint_bound_digits(&s, 2, &h) || *s++ != ':' ||
		    !lint_bound_digits(&s, 2, &mi))
			return false;
		if (*s == ':' && (s++, !lint_bound_digits(&s, 2, &se)))
			return false;
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++, nf++) {
				if (nf >= 6)
					return false;	/* rounded by PG */
				frac = frac * 10 + (*s - '0');
			}
		if (h > 24 || mi > 59 || se > 59)
			return false;
	}
	for (; nf < 6; nf++)
		frac *= 10;
	if (*s == '+' || *s == '-') {
		sign = *s++ == '-' ? -1 : 1;
		if (!lint_bound_digits(&s, 2, &oh))
			return false;
		if (*s == ':')
			s++;
		if (*s != '\0' && !lint_bound_digits(&s, 2, &om))
			return false;
		t->off = true;
		t->offmin = sign * (oh * 60 + om);
	} else if (*s == 'Z') {
		s++;
		t->off = true;
	}
	if (*s != '\0')
		return false;
	t->days = lint_bound_days(y, mo, d);
	t->usec = ((int64_t)h * 3600 + mi * 60 + se) * 1000000 + frac;
	return true;
}

static bool
lint_bound_utc(const char *tz)
{
	static const char *const utc[] = { "UTC", "Etc/UTC", "GMT",
	    "Etc/GMT", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu",
	    "Etc/Zulu", "GMT0", "Etc/GMT0", "Greenwich", "Etc/Greenwich" };
	size_t i;

	for (i = 0; tz != NULL && i < sizeof utc / sizeof utc[0]; i++)
		if (strcmp(tz, utc[i]) == 0)
			return true;
	return false;
}

/*
 * Dates and times: 'D' date (no time of day), 'd' timestamp (offsets are
 * ignored, as PostgreSQL does), 't' timestamptz (instants; a value without
 * offset is in the session's TimeZone, known only as UTC from --db).
 */
static int
lint_bound_tscmp(const char *a, const char *b, char fam, const char *tz)
{
	struct lint_ts x, y;
	int64_t u, v;

	if (!lint_bound_iso(a, &x) || !lint_bound_iso(b, &y))
		return -2;
	if (fam == 'D' && (x.usec != 0 || y.usec != 0))
		return -2;
	if (fam == 't' && x.off != y.off) {
		if (!lint_bound_utc(tz))
			return -2;
		x.off = y.off = true;
	}
	u = x.days * 86400 * INT64_C(1000000) + x.usec;
	v = y.days * 86400 * INT64_C(1000000) + y.usec;
	if (fam == 't' && x.off) {
		u -= (int64_t)x.offmin * 60000000;
		v -= (int64_t)y.offmin * 60000000;
	}
	return u < v ? -1 : u > v;
}

/* The comparison family of a column type (lm_col.type). */
static char
lint_bound_family(const char *type)
{
	static const char *const num[] = { "int2", "int4", "int8",
	    "smallint", "integer", "bigint", "int", "serial", "serial2",
	    "serial4", "serial8", "smallserial", "bigserial", "numeric",
	    "decimal" };
	size_t i;

	if (type == NULL || *type == '\0')
		return '?';
	for (i = 0; i < sizeof num / sizeof num[0]; i++)
		if (strcmp(type, num[i]) == 0)
			return 'n';
	if (strcmp(type, "timestamptz") == 0)
		return 't';
	if (strcmp(type, "timestamp") == 0)
		return 'd';
	if (strcmp(type, "date") == 0)
		return 'D';
	return 'o';
}

static bool
lint_bound_special(const struct lm_val *v)
{
	return v->kind == '0' || v->kind == 'm' || v->kind == 'M';
}

/* -1, 0, 1; -2 when lint cannot tell. */
static int
lint_bound_cmp(const struct lm_val *a, const struct lm_val *b, char fam,
    const char *tz)
{
	if (lint_bound_special(a) || lint_bound_special(b))
		return -2;
	if (strcmp(a->s, b->s) == 0)
		return 0;
	switch (fam) {
	case 'n':
		return lint_bound_deccmp(a->s, b->s);
	case 't':
	case 'd':
	case 'D':
		return lint_bound_tscmp(a->s, b->s, fam, tz);
	case '?':
		if (a->kind != 's' && b->kind != 's')
			return lint_bound_deccmp(a->s, b->s);
		return -2;
	default:
		return -2;
	}
}

/* ---- the proof ---- */

struct lint_bound {
	struct lm_rel *part;
	const char *key;
	char fam;
	bool textok;		/* col::text is the column (varchar, text) */
	const char *tz;
	const struct lm_val *v;	/* the bound's constant(s) */
	size_t nv;
};

typedef bool lint_bound_fn(const struct lint_bound *, const struct lm_atom *);

/* Some conjunct of a validated CHECK on the key for which fn holds. */
static bool
lint_bound_any(const struct lint_bound *x, lint_bound_fn *fn)
{
	const struct lm_con *k;
	size_t i, j;

	for (i = 0; i < x->part->ncons; i++) {
		k = &x->part->cons[i];
		if (k->kind != 'c' || !k->validated)
			continue;
		for (j = 0; j < k->natoms; j++)
			if (strcmp(k->atoms[j].col, x->key) == 0 &&
			    (!k->atoms[j].textcast || x->textok) &&
			    fn(x, &k->atoms[j]))
				return true;
	}
	return false;
}

static bool
lint_bound_nn(const struct lint_bound *x, const struct lm_atom *a)
{
	(void)x;
	return a->op == 'n';
}

/* The conjunct implies key >= x->v[0]. */
static bool
lint_bound_ge(const struct lint_bound *x, const struct lm_atom *a)
{
	size_t i;

	switch (a->op) {
	case '>':
	case 'g':
	case '=':
	case 'i':
		for (i = 0; i < a->nv; i++)
			if (lint_bound_cmp(&a->v[i], x->v, x->fam, x->tz) < 0)
				return false;
		return a->nv > 0;
	default:
		return false;
	}
}

/* The conjunct implies key < x->v[0]. */
static bool
lint_bound_lt(const struct lint_bound *x, const struct lm_atom *a)
{
	size_t i;
	int r;

	switch (a->op) {
	case '<':
		r = lint_bound_cmp(&a->v[0], x->v, x->fam, x->tz);
		return r == -1 || r == 0;
	case 'l':
	case '=':
	case 'i':
		for (i = 0; i < a->nv; i++)
			if (lint_bound_cmp(&a->v[i], x->v, x->fam, x->tz) != -1)
				return false;
		return a->nv > 0;
	default:
		return false;
	}
}

/* The conjunct implies key IN (x->v...). */
static bool
lint_bound_in(const struct lint_bound *x, const struct lm_atom *a)
{
	size_t i, j;

	if (a->op != '=' && a->op != 'i')
		return false;
	for (i = 0; i < a->nv; i++) {
		for (j = 0; j < x->nv; j++)
			if (lint_bound_cmp(&a->v[i], &x->v[j], x->fam,
			    x->tz) == 0)
				break;
		if (j == x->nv)
			return false;
	}
	return a->nv > 0;
}

/* "'2025-01-01'" or "10" for messages; caller frees. */
static char *
lint_bound_show(const struct lm_val *v)
{
	return v->kind == 's' ? xasprintf("'%.40s'", v->s) :
	    xasprintf("%.40s", v->s);
}

static char *
lint_bound_range(struct lint_bound *x, const PgQuery__PartitionBoundSpec *b)
{
	struct lm_val *lo, *hi;
	char *why = NULL, *s;

	if (b->n_lowerdatums != 1 || b->n_upperdatums != 1)
		return xstrdup("the bound does not have one value per key");
	if (!lint_bound_vals(b->lowerdatums, 1, &lo))
		return xstrdup("the lower bound is not a constant");
	if (!lint_bound_vals(b->upperdatums, 1, &hi)) {
		lint_bound_vals_free(lo, 1);
		return xstrdup("the upper bound is not a constant");
	}
	x->v = lo;
	if (lo->kind != 'm' && !lint_bound_any(x, lint_bound_ge)) {
		s = lint_bound_show(lo);
		why = xasprintf("no CHECK bounds %s >= %s", x->key, s);
		free(s);
	}
	x->v = hi;
	if (why == NULL && hi->kind != 'M' &&
	    !lint_bound_any(x, lint_bound_lt)) {
		s = lint_bound_show(hi);
		why = xasprintf("no CHECK bounds %s < %s", x->key, s);
		free(s);
	}
	lint_bound_vals_free(lo, 1);
	lint_bound_vals_free(hi, 1);
	return why;
}

static char *
lint_bound_list(struct lint_bound *x, const PgQuery__PartitionBoundSpec *b,
    bool *has_null)
{
	struct lm_val *v;
	bool ok;
	size_t i;

	if (b->n_listdatums > LINT_BOUND_MAX_LIST)
		return xasprintf("the list has over %d values",
		    LINT_BOUND_MAX_LIST);
	if (!lint_bound_vals(b->listdatums, b->n_listdatums, &v))
		return xstrdup("the list is not of constants");
	for (i = 0; i < b->n_listdatums; i++)
		if (v[i].kind == '0')
			*has_null = true;
	x->v = v;
	x->nv = b->n_listdatums;
	ok = lint_bound_any(x, lint_bound_in);
	lint_bound_vals_free(v, b->n_listdatums);
	return ok ? NULL : xasprintf("no CHECK limits %s to the list's "
	    "values", x->key);
}

char *
lint_bound_unproved(struct lint *l, struct lm_rel *parent,
    struct lm_rel *part, const PgQuery__PartitionBoundSpec *b)
{
	struct lint_bound x = { 0 };
	struct lm_col *pc, *c;
	bool has_null = false;
	char *why;

	if (part == NULL)
		return xstrdup("no CHECK of it is known");
	if (b == NULL || b->is_default)
		return xstrdup("a DEFAULT partition's bound is not proved");
	if (strcmp(b->strategy, "h") == 0)
		return xstrdup("a hash partition's bound is not proved");
	if (parent == NULL || (parent->npartkey == 0 && !parent->partkey_expr))
		return xstrdup("the partition key is unknown");
	if (parent->partkey_expr)
		return xstrdup("the partition key has an expression");
	if (parent->npartkey != 1)
		return xasprintf("the key has %zu columns", parent->npartkey);
	x.part = part;
	x.key = parent->partkey[0];
	pc = lm_col_find(part, x.key);
	c = pc != NULL ? pc : lm_col_find(parent, x.key);
	x.fam = lint_bound_family(c != NULL ? c->type : NULL);
	x.textok = c != NULL && !c->array && (strcmp(c->type, "varchar") ==
	    0 || strcmp(c->type, "text") == 0);
	x.tz = l->pending && l->o.facts != NULL ?
	    lint_facts_timezone(l->o.facts) : NULL;
	if (strcmp(b->strategy, "r") == 0)
		why = lint_bound_range(&x, b);
	else if (strcmp(b->strategy, "l") == 0)
		why = lint_bound_list(&x, b, &has_null);
	else
		return xstrdup("the bound's strategy is unknown");
	if (why == NULL && !has_null && !(pc != NULL && pc->notnull) &&
	    !lint_bound_any(&x, lint_bound_nn))
		why = xasprintf("%s may be NULL: no NOT NULL or CHECK (%s IS "
		    "NOT NULL)", x.key, x.key);
	return why;
}
