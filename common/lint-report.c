/* SPDX-License-Identifier: MIT */
/* lint-report.c: findings as compiler-style text, JSON and SARIF 2.1.0. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lint-int.h"

char *
lint_format(const struct lint_finding *f)
{
	return xasprintf("%s:%d:%d: %s %s: %s; %s", f->file, f->line, f->col,
	    lint_sev_name(f->sev), f->rule->id, f->msg, f->rule->safe);
}

json_t *
lint_finding_json(const struct lint_finding *f)
{
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s}",
	    "rule", f->rule->id, "severity", lint_sev_name(f->sev), "file",
	    f->file, "revision", f->revision, "line", f->line, "column",
	    f->col, "message", f->msg, "why", f->rule->why, "safe",
	    f->rule->safe);
	json_object_set_new(o, "suppressed", f->suppressed != NULL ?
	    json_pack("{s:s}", "reason", f->suppressed) : json_null());
	return o;
}

json_t *
lint_findings_json(const struct lint_findings *f)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < f->n; i++)
		json_array_append_new(a, lint_finding_json(&f->v[i]));
	return a;
}

static json_t *
lint_rule_json(const struct lint_rule *r)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", r->id,
	    "severity", lint_sev_name(r->sev), "versions", r->versions, "what",
	    r->what, "why", r->why, "safe", r->safe, "squawk",
	    r->squawk != NULL ? json_string(r->squawk) : json_null());
}

json_t *
lint_rules_json(void)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < lint_nrules; i++)
		json_array_append_new(a, lint_rule_json(&lint_rules[i]));
	return a;
}

/* ---- SARIF 2.1.0 (OASIS), as GitHub code scanning reads it ---- */

static json_t *
lint_sarif_rule(const struct lint_rule *r)
{
	return json_pack("{s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
	    "s:{s:s}}", "id", r->id, "shortDescription", "text", r->what,
	    "fullDescription", "text", r->why, "help", "text", r->safe,
	    "defaultConfiguration", "level", lint_sev_name(r->sev),
	    "properties", "versions", r->versions);
}

static json_t *
lint_sarif_result(const struct lint_finding *f)
{
	json_t *o;

	o = json_pack("{s:s, s:i, s:s, s:{s:s}, s:[{s:{s:{s:s}, "
	    "s:{s:i, s:i}}}]}", "ruleId", f->rule->id, "ruleIndex",
	    (int)(f->rule - lint_rules), "level", lint_sev_name(f->sev),
	    "message", "text", f->msg, "locations", "physicalLocation",
	    "artifactLocation", "uri", f->file, "region", "startLine",
	    f->line, "startColumn", f->col);
	if (f->suppressed != NULL)
		json_object_set_new(o, "suppressions", json_pack("[{s:s, "
		    "s:s}]", "kind", "inSource", "justification",
		    f->suppressed));
	return o;
}

json_t *
lint_sarif(const struct lint_findings *f, const char *version)
{
	json_t *rules = json_array(), *results = json_array();
	size_t i;

	for (i = 0; i < lint_nrules; i++)
		json_array_append_new(rules, lint_sarif_rule(&lint_rules[i]));
	for (i = 0; i < f->n; i++)
		json_array_append_new(results, lint_sarif_result(&f->v[i]));
	return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:o}}, s:s, "
	    "s:o}]}", "$schema",
	    "https://json.schemastore.org/sarif-2.1.0.json", "version",
	    "2.1.0", "runs", "tool", "driver", "name", "migrated-lint",
	    "version", version, "rules", rules, "columnKind",
	    "unicodeCodePoints", "results", results);
}
