/* SPDX-License-Identifier: MIT */
/* lint.h: dangerous-migration linter on PostgreSQL's grammar (SPEC §9). */
#ifndef MIGRATED_LINT_H
#define MIGRATED_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "xmalloc.h"

struct migfile;
struct lint;
struct lint_facts;
struct lint_trees;

enum lint_sev {
	LINT_NOTE,
	LINT_WARNING,
	LINT_ERROR,
	LINT_NEVER,		/* --fail-on none: above every severity */
};

/* One rule of lint_rules[] (lint-rules.c); ids never change. */
struct lint_rule {
	const char *id;
	enum lint_sev sev;	/* default severity */
	const char *versions;	/* for people: "all", "12+", "14.0-14.3" */
	const char *what;	/* what it finds */
	const char *why;	/* one line: what goes wrong */
	const char *safe;	/* the safe form */
	const char *squawk;	/* squawk rule names it answers to, or NULL */
};

extern const struct lint_rule lint_rules[];
extern const size_t lint_nrules;

/* The rule with this id, or NULL. */
const struct lint_rule *lint_rule_find(const char *id);
/* "error", "warning", "note"; lint_sev_parse: 0 or -EINVAL. */
const char *lint_sev_name(enum lint_sev s);
int lint_sev_parse(const char *s, enum lint_sev *out) MIG_MUSTCHECK;

struct lint_finding {
	const struct lint_rule *rule;
	enum lint_sev sev;	/* after the facts (may be below the default) */
	char *file;
	char *revision;
	int line, col;		/* 1-based; col counts UTF-8 characters */
	char *msg;		/* what was found; the safe form follows */
	char *suppressed;	/* NULL, or why it is allowed (reason) */
};

struct lint_findings {
	struct lint_finding *v;
	size_t n, cap;
};

struct lint_opts {
	int server_version;	/* server_version_num; 0: unknown (offline) */
	bool atomic;		/* the whole plan runs in one transaction */
	const struct lint_facts *facts;	/* borrowed; NULL: offline */
	/*
	 * With a database: the planner's row estimate of an UPDATE or DELETE
	 * (EXPLAIN), or -1 when unknown; NULL: not asked.
	 */
	long long (*estimate)(void *arg, const char *sql);
	void *estimate_arg;
	/* Trees parsed for lint_refs_section(), borrowed; NULL: none. */
	struct lint_trees *trees;
	/*
	 * No lint-allow-unused notes: a plan from one start (the daemon's)
	 * may not need an allow that another database, further on, does --
	 * a table created earlier in the plan gets no finding.
	 */
	bool keep_unused_allows;
};

/*
 * The parse trees of a plan's statements: made by lint_refs_section(),
 * used again by the lint, so each statement is parsed once (parsing is
 * most of lint's cost). Kept up to budget bytes; beyond, statements are
 * parsed again. Must outlive the lint of the plan.
 */
struct lint_trees *lint_trees_new(size_t budget);
void lint_trees_free(struct lint_trees *t);

/* A linter for one plan. Caller frees with lint_free(). */
struct lint *lint_new(const struct lint_opts *o);
void lint_free(struct lint *l);

/*
 * Lint a section of mf (up: its upgrade, else its downgrade), the next one
 * of the plan. pending: the database has not run it yet, so catalog facts
 * apply; false for revisions already applied (linted as offline).
 * lint_section() is lint_section_begin(), every lint_stmt() and
 * lint_section_end(); the daemon calls the parts to slice the work.
 */
void lint_section(struct lint *l, const struct migfile *mf, bool up,
    bool pending);
/* Statements in the section begun, or 0. */
size_t lint_section_begin(struct lint *l, const struct migfile *mf, bool up,
    bool pending);
void lint_stmt(struct lint *l, size_t i);
void lint_section_end(struct lint *l);

/* The findings so far, in plan order (borrowed from l). */
const struct lint_findings *lint_results(const struct lint *l);
/* Unsuppressed findings at or above sev. */
size_t lint_count(const struct lint *l, enum lint_sev sev);

/*
 * Existing tables a section locks in ACCESS EXCLUSIVE mode, as
 * "schema.name" or "name" (borrowed until the next section begins).
 */
const char *const *lint_section_locks(const struct lint *l, size_t *n);

void lint_findings_clear(struct lint_findings *f);

/* ---- lint-target.c: what a statement builds (daemon/runner-cic.c) ---- */

struct lint_cic {
	char *schema;		/* the table's schema as written, or NULL */
	char *table;
	char *index;		/* in the table's schema */
	bool if_not_exists;
};

/*
 * 1 and *out (free with lint_cic_clear()) if sql is one named
 * CREATE [UNIQUE] INDEX CONCURRENTLY, else 0 (*out zeroed).
 */
int lint_cic_target(const char *sql, struct lint_cic *out);
void lint_cic_clear(struct lint_cic *c);

/* ---- lint-report.c ---- */

/* "FILE:LINE:COL: severity RULE: message; safe form". Caller frees. */
char *lint_format(const struct lint_finding *f);
/* One finding as JSON (rule, severity, file, line, column, ...). */
json_t *lint_finding_json(const struct lint_finding *f);
/* A JSON array of the findings (suppressed ones too, marked). */
json_t *lint_findings_json(const struct lint_findings *f);
/* The SARIF 2.1.0 log of the findings. */
json_t *lint_sarif(const struct lint_findings *f, const char *version);
/* The rule table as JSON. */
json_t *lint_rules_json(void);

/* ---- lint-facts.c: facts from the database ---- */

/* References collected from pending sections, for the facts query. */
struct lint_refs;
struct lint_refs *lint_refs_new(void);
void lint_refs_free(struct lint_refs *r);
/* Add what the section mentions (parses it into trees, which may be
 * NULL; no findings). */
void lint_refs_section(struct lint_refs *r, const struct migfile *mf,
    bool up, struct lint_trees *trees);
/* The facts query's one parameter (JSON text). Caller frees. */
char *lint_refs_param(const struct lint_refs *r);
/* The facts query: one parameter ($1 = lint_refs_param()), one value. */
extern const char lint_facts_sql[];

/*
 * Parse the facts query's result. Returns 0 and *out (free with
 * lint_facts_free()), or -EINVAL with *why (caller frees).
 */
int lint_facts_parse(const char *json, struct lint_facts **out, char **why)
    MIG_MUSTCHECK;
void lint_facts_free(struct lint_facts *f);
/* server_version_num the facts came with. */
int lint_facts_version(const struct lint_facts *f);

#endif
