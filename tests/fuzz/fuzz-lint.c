/* SPDX-License-Identifier: MIT */
/* fuzz-lint.c: libFuzzer target for lint (SPEC §9), offline. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"
#include "migfile.h"

/*
 * Lint must never crash, whatever SQL a revision holds ("a statement it
 * cannot parse is a note"). The input is linted as a migration file when
 * it parses as one, and always as the upgrade section of a revision made
 * around it, after a prelude revision that creates the tables the rules
 * look at; each under two settings (offline, and PostgreSQL 14.2 with the
 * plan in one transaction). Every finding must render as text, JSON and
 * SARIF, with a known rule and a position inside its file; the locks and
 * the facts query's parameter must be well-formed. A breach aborts, so
 * libFuzzer keeps the input.
 *
 *	./configure CC=clang --enable-fuzzing
 *	make tests/fuzz/fuzz-lint
 *	cp -r tests/fuzz/corpus/lint /tmp/corpus
 *	tests/fuzz/fuzz-lint /tmp/corpus
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (64 * 1024)	/* bigger adds time, not paths */

static const char fuzz_prelude[] =
    "-- revision: p0001\n"
    "-- down_revision: none\n"
    "-- message: the tables the rules look at\n"
    "\n"
    "-- +upgrade\n"
    "CREATE TYPE mood AS ENUM ('happy', 'sad');\n"
    "CREATE TABLE big (id bigint PRIMARY KEY, name varchar(50) NOT NULL,\n"
    "    price numeric(10, 2), note text, created timestamp, feeling mood,\n"
    "    CONSTRAINT big_note_nn CHECK (note IS NOT NULL));\n"
    "ALTER TABLE big ADD CONSTRAINT big_price_chk CHECK (price >= 0) "
    "NOT VALID;\n"
    "CREATE TABLE small (id bigint PRIMARY KEY, big_id bigint, label text);\n"
    "CREATE INDEX big_name_idx ON big (name);\n"
    "CREATE VIEW big_names AS SELECT id, name FROM big;\n"
    "CREATE MATERIALIZED VIEW big_stats AS SELECT count(*) AS n FROM big;\n"
    "CREATE TABLE events (id bigint, at timestamptz NOT NULL)\n"
    "    PARTITION BY RANGE (at);\n"
    "CREATE TABLE events_2025 (id bigint, at timestamptz NOT NULL,\n"
    "    CHECK (at >= '2025-01-01' AND at < '2026-01-01'));\n"
    "\n"
    "-- +downgrade\n"
    "DROP TABLE events_2025, events, small, big CASCADE;\n"
    "DROP TYPE mood;\n";

static const char fuzz_head[] =
    "-- revision: f0002\n"
    "-- down_revision: p0001\n"
    "-- message: fuzz\n"
    "\n"
    "-- +upgrade\n";

static struct migfile *prelude;

static void
fuzz_assert(int ok)
{
	if (!ok)
		abort();
}

static int
fuzz_lines(const char *s, size_t len)
{
	int n = 1;
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	return n;
}

static bool
fuzz_known_rule(const struct lint_rule *r)
{
	return r >= lint_rules && r < lint_rules + lint_nrules;
}

/* The findings, the locks, and every rendering of them. */
static void
fuzz_check(struct lint *l, const char *file, int lines)
{
	const struct lint_findings *f = lint_results(l);
	const struct lint_finding *x;
	const char *const *locks;
	json_t *j;
	char *s;
	size_t i, n;

	fuzz_assert(lint_count(l, LINT_NOTE) <= f->n);
	for (i = 0; i < f->n; i++) {
		x = &f->v[i];
		fuzz_assert(fuzz_known_rule(x->rule));
		fuzz_assert(x->sev >= LINT_NOTE && x->sev <= LINT_ERROR);
		fuzz_assert(x->file != NULL && x->msg != NULL &&
		    x->revision != NULL);
		fuzz_assert(x->line >= 1 && x->col >= 1);
		if (strcmp(x->file, file) == 0)
			fuzz_assert(x->line <= lines);
		s = lint_format(x);
		fuzz_assert(s != NULL);
		free(s);
		/* a NULL here: a message JSON cannot carry (bad UTF-8) */
		j = lint_finding_json(x);
		fuzz_assert(j != NULL && json_object_size(j) == 10);
		s = json_dumps(j, JSON_COMPACT);
		fuzz_assert(s != NULL);
		free(s);
		json_decref(j);
	}
	j = lint_sarif(f, "0");
	fuzz_assert(j != NULL);
	s = json_dumps(j, JSON_COMPACT);
	fuzz_assert(s != NULL);
	free(s);
	json_decref(j);
	locks = lint_section_locks(l, &n);
	for (i = 0; i < n; i++)
		fuzz_assert(locks[i] != NULL && locks[i][0] != '\0');
}

/* Lint the prelude and mf (both sections) under o. */
static void
fuzz_lint(const struct migfile *mf, const struct lint_opts *o,
    const char *text, size_t len)
{
	struct lint_refs *refs;
	struct lint *l;
	json_t *j;
	char *param;
	int lines = fuzz_lines(text, len);

	l = lint_new(o);
	lint_section(l, prelude, true, false);
	lint_section(l, mf, true, true);
	fuzz_check(l, mf->path, lines);
	lint_section(l, mf, false, true);
	fuzz_check(l, mf->path, lines);
	lint_free(l);

	refs = lint_refs_new();
	lint_refs_section(refs, mf, true, NULL);
	lint_refs_section(refs, mf, false, NULL);
	param = lint_refs_param(refs);
	fuzz_assert(param != NULL);
	j = json_loads(param, 0, NULL);
	fuzz_assert(j != NULL);	/* the query's parameter is JSON */
	json_decref(j);
	free(param);
	lint_refs_free(refs);
}

static void
fuzz_file(const char *path, const char *text, size_t len)
{
	struct mdiag_list d = { 0 };
	struct lint_opts o = { 0 };
	struct migfile *mf;

	if (migfile_parse(path, text, len, &mf, &d) == 0) {
		fuzz_lint(mf, &o, text, len);
		o.server_version = 140002;
		o.atomic = true;
		fuzz_lint(mf, &o, text, len);
		migfile_free(mf);
	}
	mdiag_clear(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mdiag_list d = { 0 };
	size_t hl = sizeof fuzz_head - 1;
	char *text;

	if (prelude == NULL) {
		fuzz_assert(migfile_parse("v/p0001_prelude.sql", fuzz_prelude,
		    sizeof fuzz_prelude - 1, &prelude, &d) == 0);
		mdiag_clear(&d);
	}
	if (size > FUZZ_MAX_INPUT)
		return 0;
	/* as a whole migration file */
	fuzz_file("v/f0001_fuzz.sql", (const char *)data, size);
	/* as the SQL of an upgrade section */
	text = xmalloc(hl + size + 1);
	memcpy(text, fuzz_head, hl);
	memcpy(text + hl, data, size);
	text[hl + size] = '\0';
	fuzz_file("v/f0002_fuzz.sql", text, hl + size);
	free(text);
	return 0;
}
