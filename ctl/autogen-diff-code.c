/* SPDX-License-Identifier: MIT */
/* autogen-diff-code.c: functions, procedures, triggers, policies. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

static void
ag_recreate_pair(struct ag_plan *p, size_t ai, size_t bi)
{
	ag_drop_code(p, ai);
	ag_create_code(p, bi);
}

static void
ag_diff_function(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	if (ag_attr_eq(a, b, "def"))
		return;
	/* CREATE OR REPLACE keeps dependants but cannot change these */
	if (!ag_attr_eq(a, b, "result") || !ag_attr_eq(a, b, "args")) {
		ag_recreate_pair(p, ai, bi);
		return;
	}
	up = ag_ddl_create(p->b, bi, 0);
	down = ag_ddl_create(p->a, ai, 0);
	ag_alter(p, ai, bi, up, down);
	free(up);
	free(down);
}

static char *
ag_alter_policy(const struct cat_obj *o)
{
	const char *u = cat_get(o, "using"), *c = cat_get(o, "check");
	char *us = u ? xasprintf(" USING (%s)", u) : xstrdup("");
	char *cs = c ? xasprintf(" WITH CHECK (%s)", c) : xstrdup("");
	char *s;

	s = xasprintf("ALTER POLICY %s ON %s TO %s%s%s", ag_name(o),
	    o->parent, cat_get(o, "roles") ? cat_get(o, "roles") : "PUBLIC",
	    us, cs);
	free(us);
	free(cs);
	return s;
}

static void
ag_diff_policy(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;

	/* ALTER POLICY can neither change these nor remove a clause */
	if (!ag_attr_eq(a, b, "cmd") || !ag_attr_eq(a, b, "permissive") ||
	    (cat_get(a, "using") != NULL) != (cat_get(b, "using") != NULL) ||
	    (cat_get(a, "check") != NULL) != (cat_get(b, "check") != NULL)) {
		ag_recreate_pair(p, ai, bi);
		return;
	}
	if (!ag_attr_eq(a, b, "roles") || !ag_attr_eq(a, b, "using") ||
	    !ag_attr_eq(a, b, "check")) {
		up = ag_alter_policy(b);
		down = ag_alter_policy(a);
		ag_alter(p, ai, bi, up, down)->table = xstrdup(b->parent);
		free(up);
		free(down);
	}
	ag_comment(p, a, ai, b, bi);
}

void
ag_diff_code(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	char *up, *down;
	struct ag_action *x;

	if (ag_kind_is(a, "function") || ag_kind_is(a, "procedure"))
		ag_diff_function(p, ai, bi);
	else if (ag_kind_is(a, "policy")) {
		ag_diff_policy(p, ai, bi);
		return;
	} else if (ag_kind_is(a, "trigger")) {
		if (!ag_attr_eq(a, b, "def")) {
			ag_recreate_pair(p, ai, bi);
			return;
		}
		if (!ag_attr_eq(a, b, "enabled")) {
			up = ag_trigger_enable(b);
			down = ag_trigger_enable(a);
			x = ag_alter(p, ai, bi, up, down);
			x->table = xstrdup(b->parent);
			x->lock = "SHARE ROW EXCLUSIVE";
			free(up);
			free(down);
		}
	}
	if (!p->a_gone[ai])
		ag_comment(p, a, ai, b, bi);
}

void
ag_create_code(struct ag_plan *p, size_t bi)
{
	const struct cat_obj *o = &p->b->objs[bi];
	struct ag_action *x = ag_create_obj(p, bi, 0);

	if (ag_kind_is(o, "trigger") &&
	    catalog_find(p->a, "table", o->parent) != NULL) {
		x->table = xstrdup(o->parent);
		x->lock = "SHARE ROW EXCLUSIVE";
	}
}

void
ag_drop_code(struct ag_plan *p, size_t ai)
{
	const struct cat_obj *o = &p->a->objs[ai];
	struct ag_action *x = ag_drop_obj(p, ai, 0);

	if (ag_kind_is(o, "trigger") || ag_kind_is(o, "policy")) {
		if (catalog_find(p->b, "table", o->parent) != NULL) {
			x->table = xstrdup(o->parent);
			x->lock = "ACCESS EXCLUSIVE";
		}
	}
}
