/* SPDX-License-Identifier: MIT */
/* autogen-grant.c: --grants: GRANT and REVOKE from two privilege lists. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autogen.h"
#include "xmalloc.h"

#define AG_MAX_GRANTEES 256

/* One grantee of an aclitem[] text: privilege letters, '*' grant option. */
struct ag_aclent {
	char *grantee;		/* quoted as PostgreSQL printed it; "" PUBLIC */
	char privs[32];
	char grant[32];		/* the letters held with grant option */
};

static const struct {
	char letter;
	const char *name;
} ag_privs[] = {
	{ 'r', "SELECT" }, { 'a', "INSERT" }, { 'w', "UPDATE" },
	{ 'd', "DELETE" }, { 'D', "TRUNCATE" }, { 'x', "REFERENCES" },
	{ 't', "TRIGGER" }, { 'X', "EXECUTE" }, { 'U', "USAGE" },
	{ 'C', "CREATE" }, { 'c', "CONNECT" }, { 'T', "TEMPORARY" },
};

/* Parse "{a=rw/o,=r/o,\"x y\"=r/o}" into ents; returns their number. */
static size_t
ag_acl_parse(const char *s, struct ag_aclent *ents, size_t max)
{
	size_t n = 0, k;
	const char *p = s, *g, *eq;
	bool q;

	if (s == NULL || *p++ != '{')
		return 0;
	while (*p != '\0' && *p != '}' && n < max) {
		/* an element may itself be quoted by the array output */
		bool outer = *p == '"';
		char *elem, *e;

		g = p + outer;
		for (e = (char *)g, q = false; *e != '\0'; e++) {
			if (outer && *e == '\\' && e[1] != '\0') {
				e++;
				continue;
			}
			if (outer ? *e == '"' : (*e == ',' || *e == '}'))
				break;
		}
		elem = xstrndup(g, (size_t)(e - g));
		p = e + (outer && *e == '"');
		if (*p == ',')
			p++;
		/* unescape \" inside a quoted element */
		for (e = elem, k = 0; elem[k] != '\0'; k++)
			if (!(elem[k] == '\\' && elem[k + 1] != '\0'))
				*e++ = elem[k];
			else
				*e++ = elem[++k];
		*e = '\0';
		for (eq = elem, q = false; *eq != '\0'; eq++) {
			if (*eq == '"')
				q = !q;
			else if (*eq == '=' && !q)
				break;
		}
		if (*eq == '=') {
			struct ag_aclent *a = &ents[n++];
			const char *c = eq + 1;
			size_t np = 0, ng = 0;

			a->grantee = xstrndup(elem, (size_t)(eq - elem));
			for (; *c != '\0' && *c != '/' && np < 31; c++) {
				if (*c == '*' && np > 0 && ng < 31) {
					a->grant[ng++] = a->privs[np - 1];
					continue;
				}
				if (*c == '*')
					continue;
				a->privs[np++] = *c;
			}
			a->privs[np] = a->grant[ng] = '\0';
		}
		free(elem);
	}
	return n;
}

static const struct ag_aclent *
ag_acl_find(const struct ag_aclent *ents, size_t n, const char *grantee)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(ents[i].grantee, grantee) == 0)
			return &ents[i];
	return NULL;
}

/* The privilege names in letters of a but not of b: "SELECT, UPDATE". */
static char *
ag_acl_minus(const char *a, const char *b)
{
	char *buf = NULL;
	size_t len, i, n = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		fatal("open_memstream failed");
	for (i = 0; i < ARRAY_LEN(ag_privs); i++)
		if (strchr(a, ag_privs[i].letter) != NULL &&
		    strchr(b, ag_privs[i].letter) == NULL)
			fprintf(f, "%s%s", n++ ? ", " : "", ag_privs[i].name);
	fclose(f);
	return buf;
}

/* "ON TABLE t", "(c) ON TABLE t", "ON FUNCTION f(int)", ...; or NULL. */
static char *
ag_acl_target(const struct cat_obj *o, char **cols)
{
	*cols = NULL;
	if (!strcmp(o->kind, "table") || !strcmp(o->kind, "view") ||
	    !strcmp(o->kind, "matview"))
		return xasprintf("ON TABLE %s", o->id);
	if (!strcmp(o->kind, "column")) {
		*cols = xasprintf(" (%s)", ag_name(o));
		return xasprintf("ON TABLE %s", o->parent);
	}
	if (!strcmp(o->kind, "sequence"))
		return xasprintf("ON SEQUENCE %s", o->id);
	if (!strcmp(o->kind, "function") || !strcmp(o->kind, "procedure"))
		return xasprintf("ON %s %s", !strcmp(o->kind, "function") ?
		    "FUNCTION" : "PROCEDURE", o->id);
	if (!strcmp(o->kind, "schema"))
		return xasprintf("ON SCHEMA %s", o->id);
	return NULL;
}

/* One GRANT or REVOKE of privilege names to/from grantee. */
static char *
ag_acl_stmt(bool grant, const char *names, const char *cols,
    const char *target, const char *grantee, bool option)
{
	const char *who = *grantee != '\0' ? grantee : "PUBLIC";
	char *colnames = NULL, *s;

	if (cols != NULL) {	/* column privileges: "SELECT (c), ..." */
		char *p, *tok, *save = NULL, *copy = xstrdup(names);
		size_t len;
		FILE *f = open_memstream(&colnames, &len);

		for (tok = strtok_r(copy, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			for (p = tok; *p == ' '; p++)
				;
			fprintf(f, "%s%s%s", ftell(f) ? ", " : "", p, cols);
		}
		fclose(f);
		free(copy);
		names = colnames;
	}
	s = grant ? xasprintf("GRANT %s %s TO %s%s", names, target, who,
	    option ? " WITH GRANT OPTION" : "") :
	    xasprintf("REVOKE %s%s %s FROM %s", option ? "GRANT OPTION FOR " :
	    "", names, target, who);
	free(colnames);
	return s;
}

static void
ag_grant_pair(struct ag_plan *p, size_t ai, size_t bi)
{
	const struct cat_obj *a = &p->a->objs[ai], *b = &p->b->objs[bi];
	struct ag_aclent ea[AG_MAX_GRANTEES], eb[AG_MAX_GRANTEES];
	size_t na = ag_acl_parse(cat_get(a, "acl"), ea, AG_MAX_GRANTEES);
	size_t nb = ag_acl_parse(cat_get(b, "acl"), eb, AG_MAX_GRANTEES);
	char *cols, *target = ag_acl_target(b, &cols), *what;
	size_t i, pass;

	if (target == NULL)
		goto out;
	what = xasprintf("%s %s", b->kind, b->id);
	/* pass 0: revoke what B lacks; pass 1: grant what A lacks */
	for (pass = 0; pass < 2; pass++) {
		struct ag_aclent *from = pass ? eb : ea, *to = pass ? ea : eb;
		size_t nf = pass ? nb : na, nt = pass ? na : nb;

		for (i = 0; i < nf; i++) {
			const struct ag_aclent *o = ag_acl_find(to, nt,
			    from[i].grantee);
			char *names = ag_acl_minus(from[i].privs,
			    o != NULL ? o->privs : "");
			char *up, *down;
			struct ag_action *x;

			if (*names != '\0') {
				up = ag_acl_stmt(pass == 1, names, cols,
				    target, from[i].grantee, false);
				down = ag_acl_stmt(pass == 0, names, cols,
				    target, from[i].grantee, false);
				x = ag_act(p, AG_ALTER, 17, what, up, down);
				ag_cover_a(x, ai);
				ag_cover_b(x, bi);
				free(up);
				free(down);
			}
			free(names);
		}
	}
	free(what);
out:
	for (i = 0; i < na; i++)
		free(ea[i].grantee);
	for (i = 0; i < nb; i++)
		free(eb[i].grantee);
	free(target);
	free(cols);
}

void
ag_grants(struct ag_plan *p)
{
	size_t i, ai;
	const char *va, *vb;

	for (i = 0; i < p->b->n; i++) {
		const struct cat_obj *b = &p->b->objs[i];

		if ((vb = cat_get(b, "acl")) == NULL && strcmp(b->kind,
		    "column") != 0)
			continue;
		ai = catalog_index(p->a, b->kind, b->id);
		if (ai == (size_t)-1 || p->a_gone[ai] || p->b_made[i])
			continue;	/* new objects: not planned */
		va = cat_get(&p->a->objs[ai], "acl");
		if ((va == NULL && vb == NULL) || (va && vb && !strcmp(va, vb)))
			continue;
		ag_grant_pair(p, ai, i);
	}
}
