/* SPDX-License-Identifier: MIT */
/* migfile-hdr.c: migration file header ("-- key: value") parsing. */
#include "config.h"

#include <limits.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "migfile.h"
#include "migfile-int.h"

/* The value is the parser's (in its arena): a key may keep it. */
typedef void migfile_key_fn(struct migfile_parser *, char *, int);
typedef bool migfile_item_fn(struct migfile_parser *, int, const char *,
    const char *);

static bool
migfile_is_reserved(const char *s)
{
	return strcmp(s, "head") == 0 || strcmp(s, "heads") == 0 ||
	    strcmp(s, "base") == 0 || strcmp(s, "none") == 0;
}

bool
migfile_valid_revision(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz_");
	return n > 0 && n <= MIGFILE_REV_MAX && s[n] == '\0' &&
	    !migfile_is_reserved(s);
}

/* Report why s is not a valid revision id (for header key what). */
static bool
migfile_check_rev(struct migfile_parser *p, int line, const char *what,
    const char *s)
{
	size_t n = strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz_");
	char *show;

	if (migfile_valid_revision(s))
		return true;
	show = migfile_show(s);
	if (*s == '\0')
		migfile_diag(p, line, "%s is empty", what);
	else if (s[n] != '\0')
		migfile_diag(p, line, "invalid %s \"%s\": only 0-9, a-z and _ "
		    "are allowed", what, show);
	else if (n > MIGFILE_REV_MAX)
		migfile_diag(p, line, "invalid %s \"%s\": longer than %d "
		    "characters", what, show, MIGFILE_REV_MAX);
	else
		migfile_diag(p, line, "%s \"%s\" is a reserved name", what,
		    show);
	free(show);
	return false;
}

/* A branch label or depends_on entry: [A-Za-z0-9_-]+, not reserved. */
static bool
migfile_check_label(struct migfile_parser *p, int line, const char *what,
    const char *s)
{
	size_t n = strspn(s, "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-");
	char *show;

	if (s[n] == '\0' && !migfile_is_reserved(s))
		return true;
	show = migfile_show(s);
	if (s[n] != '\0')
		migfile_diag(p, line, "invalid %s \"%s\": only A-Z, a-z, 0-9, "
		    "_ and - are allowed", what, show);
	else
		migfile_diag(p, line, "%s \"%s\" is a reserved name", what,
		    show);
	free(show);
	return false;
}

static int
migfile_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Report each value that appears more than once in v (sorted copy). */
static void
migfile_check_dups(struct migfile_parser *p, int line, const char *what,
    char **v, size_t n)
{
	char **sorted, *show;
	size_t i;

	if (n < 2)
		return;
	sorted = xreallocarray(NULL, n, sizeof *sorted);
	memcpy(sorted, v, n * sizeof *sorted);
	qsort(sorted, n, sizeof *sorted, migfile_strcmp_p);
	for (i = 1; i < n; i++) {
		if (strcmp(sorted[i], sorted[i - 1]) != 0 ||
		    (i > 1 && strcmp(sorted[i], sorted[i - 2]) == 0))
			continue;
		show = migfile_show(sorted[i]);
		migfile_diag(p, line, "duplicate %s \"%s\"", what, show);
		free(show);
	}
	free(sorted);
}

/*
 * Split a comma list into *v (valid items only); report bad and dups. The
 * items are cut out of value in place.
 */
static void
migfile_list(struct migfile_parser *p, char *value, int line,
    const char *what, migfile_item_fn *ok, char ***v, size_t *n)
{
	char *s = value, *e, *comma;
	size_t max = 1;

	/*
	 * As many slots as there are items, allocated once: growing from 4
	 * made a single down_revision cost 32 bytes in every revision.
	 */
	for (e = value; (e = strchr(e, ',')) != NULL; e++)
		max++;
	*v = arena_alloc_align(p->a, max * sizeof **v, alignof(char *));
	for (;;) {
		comma = strchr(s, ',');
		e = comma != NULL ? comma : s + strlen(s);
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = '\0';
		if (*s == '\0')
			migfile_diag(p, line, "empty entry in %s", what);
		else if (ok(p, line, what, s))
			(*v)[(*n)++] = s;
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	migfile_check_dups(p, line, what, *v, *n);
}

static void
migfile_key_revision(struct migfile_parser *p, char *v, int line)
{
	p->mf->revision_line = line;
	if (migfile_check_rev(p, line, "revision", v))
		p->mf->revision = v;
}

static void
migfile_key_down(struct migfile_parser *p, char *v, int line)
{
	p->mf->down_line = line;
	if (strcasecmp(v, "none") == 0)
		return;
	if (*v == '\0') {
		migfile_diag(p, line, "down_revision is empty (use \"none\" "
		    "for a first revision)");
		return;
	}
	migfile_list(p, v, line, "down_revision", migfile_check_rev,
	    &p->mf->down, &p->mf->ndown);
}

static void
migfile_key_message(struct migfile_parser *p, char *v, int line)
{
	p->mf->message = v;
}

static void
migfile_key_date(struct migfile_parser *p, char *v, int line)
{
	p->mf->create_date = v;
}

static void
migfile_key_depends(struct migfile_parser *p, char *v, int line)
{
	p->mf->depends_line = line;
	if (*v != '\0')
		migfile_list(p, v, line, "depends_on", migfile_check_label,
		    &p->mf->depends_on, &p->mf->ndepends);
}

static void
migfile_key_labels(struct migfile_parser *p, char *v, int line)
{
	p->mf->labels_line = line;
	if (*v != '\0')
		migfile_list(p, v, line, "branch label", migfile_check_label,
		    &p->mf->branch_labels, &p->mf->nlabels);
}

static void
migfile_key_transactional(struct migfile_parser *p, char *v, int line)
{
	char *show;

	p->mf->transactional_line = line;
	if (strcasecmp(v, "true") == 0)
		p->mf->transactional = true;
	else if (strcasecmp(v, "false") == 0)
		p->mf->transactional = false;
	else {
		show = migfile_show(v);
		migfile_diag(p, line, "invalid transactional \"%s\" (expected "
		    "true or false)", show);
		free(show);
	}
}

/*
 * A GUC duration as lock_timeout takes it: an integer, optional blanks and
 * an optional unit (us, ms, s, min, h, d; none means ms), at most INT_MAX
 * milliseconds.
 */
static bool
migfile_valid_duration(const char *s)
{
	static const struct {
		const char *unit;
		uint64_t us;
	} units[] = {
		{ "", 1000 }, { "us", 1 }, { "ms", 1000 }, { "s", 1000000 },
		{ "min", 60000000 }, { "h", 3600000000ULL },
		{ "d", 86400000000ULL },
	};
	uint64_t v = 0;
	size_t i;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (uint64_t)INT_MAX * 1000)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	while (*s == ' ' || *s == '\t')
		s++;
	for (i = 0; i < ARRAY_LEN(units); i++) {
		if (strcmp(s, units[i].unit) == 0)
			return v <= (uint64_t)INT_MAX * 1000 / units[i].us;
	}
	return false;
}

static void
migfile_timeout(struct migfile_parser *p, const char *key, char *v,
    int line, char **dst)
{
	char *show;

	if (migfile_valid_duration(v)) {
		*dst = v;
		return;
	}
	show = migfile_show(v);
	migfile_diag(p, line, "invalid %s \"%s\" (expected a duration such "
	    "as 250ms, 5s, 1min, or 0)", key, show);
	free(show);
}

static void
migfile_key_lock(struct migfile_parser *p, char *v, int line)
{
	p->mf->lock_timeout_line = line;
	migfile_timeout(p, "lock_timeout", v, line, &p->mf->lock_timeout);
}

/* "RULE reason": a rule id ([a-z0-9-]) and a reason are both required. */
static void
migfile_key_lint_allow(struct migfile_parser *p, char *v, int line)
{
	struct migfile *mf = p->mf;
	size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-"), i;
	char *reason = v + n;
	char *show;

	while (*reason == ' ' || *reason == '\t')
		reason++;
	if (n == 0 || n > 64 || (v[n] != '\0' && v[n] != ' ' &&
	    v[n] != '\t')) {
		show = migfile_show(v);
		migfile_diag(p, line, "invalid lint_allow \"%s\" (expected a "
		    "rule id such as index-not-concurrent, then a reason)",
		    show);
		free(show);
		return;
	}
	if (*reason == '\0') {
		migfile_diag(p, line, "lint_allow %.*s has no reason (\"-- "
		    "lint_allow: RULE reason\")", (int)n, v);
		return;
	}
	for (i = 0; i < mf->nallow; i++)
		if (strlen(mf->allow[i].rule) == n &&
		    memcmp(mf->allow[i].rule, v, n) == 0) {
			migfile_diag(p, line, "duplicate lint_allow %.*s (first "
			    "on line %d)", (int)n, v, mf->allow[i].line);
			return;
		}
	mf->allow = arena_grow(p->a, mf->allow, mf->nallow, &p->capallow,
	    sizeof *mf->allow);
	mf->allow[mf->nallow].rule = arena_strndup(p->a, v, n);
	mf->allow[mf->nallow].reason = reason;
	mf->allow[mf->nallow++].line = line;
}

static void
migfile_key_stmt(struct migfile_parser *p, char *v, int line)
{
	migfile_timeout(p, "statement_timeout", v, line,
	    &p->mf->statement_timeout);
}

static const struct {
	const char *name;
	migfile_key_fn *fn;
} migfile_keys[] = {
	{ "revision", migfile_key_revision },
	{ "down_revision", migfile_key_down },
	{ "message", migfile_key_message },
	{ "create_date", migfile_key_date },
	{ "depends_on", migfile_key_depends },
	{ "branch_labels", migfile_key_labels },
	{ "transactional", migfile_key_transactional },
	{ "lock_timeout", migfile_key_lock },
	{ "statement_timeout", migfile_key_stmt },
	{ "lint_allow", migfile_key_lint_allow },
};
_Static_assert(ARRAY_LEN(migfile_keys) == MIGFILE_NKEYS,
    "migfile_keys[] and enum migfile_key differ");

/* Index of key in migfile_keys[], or -1. */
static int
migfile_key_find(const char *key, size_t klen)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(migfile_keys); i++) {
		if (strlen(migfile_keys[i].name) == klen &&
		    memcmp(migfile_keys[i].name, key, klen) == 0)
			return (int)i;
	}
	return -1;
}

static void
migfile_header_kv(struct migfile_parser *p, const char *key, size_t klen,
    const char *value, size_t vlen, int line)
{
	char *v;
	int i;

	if ((i = migfile_key_find(key, klen)) < 0) {
		migfile_diag(p, line, "unknown header key \"%.*s\"",
		    klen > MIGFILE_SHOW ? MIGFILE_SHOW : (int)klen, key);
		return;
	}
	if (p->key_line[i] != 0 && i != MIGFILE_KEY_LINT_ALLOW) {
		migfile_diag(p, line, "duplicate header key \"%s\" (first on "
		    "line %d)", migfile_keys[i].name, p->key_line[i]);
		return;
	}
	p->key_line[i] = line;
	v = arena_strndup(p->a, value, vlen);
	migfile_keys[i].fn(p, v, line);
}

void
migfile_header_line(struct migfile_parser *p, const char *s, size_t n,
    int line)
{
	size_t i = 0, k0, klen;

	while (i < n && migfile_blank(s[i]))
		i++;
	if (i == n)
		return;
	if (n - i < 2 || s[i] != '-' || s[i + 1] != '-') {
		if (!p->sql_seen)
			migfile_diag(p, line,
			    "SQL before the first -- +upgrade marker");
		p->sql_seen = true;
		return;
	}
	for (i += 2; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	for (k0 = i; i < n && ((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_');
	    i++)
		;
	klen = i - k0;
	/*
	 * "-- key: value", or "-- revision:abcd" for a known key; prose such
	 * as "-- see http://x" or "-- todo:x" is not a header line.
	 */
	if (klen == 0 || i >= n || s[i] != ':')
		return;
	if (i + 1 < n && !migfile_blank(s[i + 1]) &&
	    migfile_key_find(s + k0, klen) < 0)
		return;
	for (i++; i < n && migfile_blank(s[i]); i++)
		;
	while (n > i && migfile_blank(s[n - 1]))
		n--;
	migfile_header_kv(p, s + k0, klen, s + i, n - i, line);
}


void
migfile_section_line(struct migfile_parser *p, const char *s, size_t n,
    int line)
{
	struct migfile *mf = p->mf;
	size_t i = 0;

	while (i < n && migfile_blank(s[i]))
		i++;
	if (n - i < 2 || s[i] != '-' || s[i + 1] != '-')
		return;
	for (i += 2; i < n && migfile_blank(s[i]); i++)
		;
	if (n - i < 13 || memcmp(s + i, "squawk-ignore", 13) != 0)
		return;
	while (n > i && migfile_blank(s[n - 1]))
		n--;
	if (n - i > 512 || mf->nnotes >= 10000)
		return;
	mf->notes = arena_grow(p->a, mf->notes, mf->nnotes, &p->capnotes,
	    sizeof *mf->notes);
	mf->notes[mf->nnotes].text = arena_strndup(p->a, s + i, n - i);
	mf->notes[mf->nnotes++].line = line;
}
