/* SPDX-License-Identifier: MIT */
/* lint-rules.c: the rule table: id, severity, versions, why, safe form. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "lint-int.h"

/*
 * Ids are stable (scripts, lint_allow headers and CI baselines name them).
 * "why" says what goes wrong in one line; "safe" is the rewrite. The
 * README's "Safe migrations" table is this table (`migratectl lint
 * --rules`), checked by tests/unit/test-lint.c (test_lint_readme).
 */
#define E LINT_ERROR
#define W LINT_WARNING
#define N LINT_NOTE
const struct lint_rule lint_rules[] = {
	[LR_INDEX_NOT_CONCURRENT] = { "index-not-concurrent", E, "all",
	    "CREATE INDEX without CONCURRENTLY on an existing table",
	    "the build holds a SHARE lock: every write waits until the whole "
	    "table is indexed",
	    "CREATE INDEX CONCURRENTLY in a transactional: false revision",
	    "require-concurrent-index-creation" },
	[LR_INDEX_PARTITIONED] = { "index-on-partitioned-table", E, "11+",
	    "CREATE INDEX on a partitioned table, which cannot be built "
	    "CONCURRENTLY",
	    "every partition is indexed under a SHARE lock, one after the "
	    "other, in one transaction",
	    "CREATE INDEX ON ONLY parent (invalid, instant); CREATE INDEX "
	    "CONCURRENTLY on each partition; ALTER INDEX parent_idx ATTACH "
	    "PARTITION each one",
	    NULL },
	[LR_DROP_INDEX_NOT_CONCURRENT] = { "drop-index-not-concurrent", W,
	    "all", "DROP INDEX without CONCURRENTLY",
	    "takes ACCESS EXCLUSIVE on the table: queued behind any long "
	    "query, it blocks every read and write meanwhile",
	    "DROP INDEX CONCURRENTLY IF EXISTS in a transactional: false "
	    "revision",
	    "require-concurrent-index-deletion" },
	[LR_CONCURRENTLY_IN_TXN] = { "concurrently-in-transaction", E, "all",
	    "CONCURRENTLY (index build or drop, REINDEX, DETACH PARTITION) in "
	    "a transactional revision",
	    "PostgreSQL refuses it inside a transaction block: the revision "
	    "fails",
	    "put it in its own revision with transactional: false",
	    "ban-concurrent-index-creation-in-transaction" },
	[LR_NEEDS_NO_TXN] = { "needs-no-transaction", E, "all",
	    "VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM, tablespaces, or "
	    "ALTER TYPE ADD VALUE before 12, in a transactional revision",
	    "PostgreSQL refuses it inside a transaction block: the revision "
	    "fails",
	    "put it in its own revision with transactional: false", NULL },
	[LR_REINDEX_NOT_CONCURRENT] = { "reindex-not-concurrent", E, "12+",
	    "REINDEX without CONCURRENTLY",
	    "blocks writes to the table (and reads that use the index) for "
	    "the whole rebuild",
	    "REINDEX ... CONCURRENTLY in a transactional: false revision "
	    "(before 12: CREATE INDEX CONCURRENTLY a copy, drop the old one)",
	    "require-concurrent-reindex" },
	[LR_CIC_PG14_BUG] = { "concurrent-index-pg14-bug", E, "14.0-14.3",
	    "CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY on "
	    "PostgreSQL 14.0 to 14.3",
	    "a bug in these releases can build an index that misses rows "
	    "(silent corruption)",
	    "upgrade the server to 14.4 or later first (then REINDEX the "
	    "indexes built concurrently on 14.0-14.3)", NULL },
	[LR_ADD_COLUMN_VOLATILE] = { "add-column-volatile-default", E, "all",
	    "ADD COLUMN with a volatile default (random(), clock_timestamp(), "
	    "nextval(): serial, identity), or any default before 11",
	    "every row gets its own value: the table is rewritten under "
	    "ACCESS EXCLUSIVE",
	    "ADD COLUMN without the default (or a constant one); SET DEFAULT; "
	    "backfill in batches in later revisions",
	    "adding-field-with-default" },
	[LR_ADD_COLUMN_STORED] = { "add-column-stored-generated", E, "12+",
	    "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED",
	    "the value is computed for every row: the table is rewritten "
	    "under ACCESS EXCLUSIVE",
	    "add a plain column, fill it by trigger and batched backfill, or "
	    "compute it in a view", "adding-field-with-default" },
	[LR_ADD_COLUMN_NOT_NULL] = { "add-column-not-null-no-default", E,
	    "all", "ADD COLUMN ... NOT NULL without a DEFAULT",
	    "fails as soon as the table has a row",
	    "ADD COLUMN with a constant DEFAULT and NOT NULL (11+: no "
	    "rewrite), or nullable, backfill, then a validated CHECK and SET "
	    "NOT NULL", "adding-required-field" },
	[LR_SET_NOT_NULL] = { "set-not-null-without-check", E, "all",
	    "ALTER COLUMN ... SET NOT NULL without a validated CHECK (col IS "
	    "NOT NULL)",
	    "scans the whole table under ACCESS EXCLUSIVE to prove there is "
	    "no NULL",
	    "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE "
	    "CONSTRAINT c (later revision); then SET NOT NULL skips the scan "
	    "(12+) and the CHECK can be dropped",
	    "adding-not-nullable-field" },
	[LR_CHECK_NOT_VALID] = { "check-without-not-valid", E, "all",
	    "ADD CONSTRAINT ... CHECK without NOT VALID on an existing table",
	    "scans the whole table under ACCESS EXCLUSIVE",
	    "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a "
	    "later revision (SHARE UPDATE EXCLUSIVE: reads and writes go on)",
	    "constraint-missing-not-valid" },
	[LR_FK_NOT_VALID] = { "foreign-key-without-not-valid", E, "all",
	    "ADD FOREIGN KEY without NOT VALID on an existing table",
	    "checks every row while holding SHARE ROW EXCLUSIVE on both "
	    "tables: writes to either wait",
	    "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE "
	    "CONSTRAINT in a later revision",
	    "adding-foreign-key-constraint,constraint-missing-not-valid" },
	[LR_VALIDATE_SAME_TXN] = { "validate-in-same-transaction", E, "all",
	    "VALIDATE CONSTRAINT in the transaction that added it NOT VALID",
	    "the ADD's ACCESS EXCLUSIVE lock is still held while VALIDATE "
	    "scans: NOT VALID bought nothing",
	    "VALIDATE CONSTRAINT in a later revision", NULL },
	[LR_UNIQUE_USING_INDEX] = { "unique-without-using-index", E, "all",
	    "ADD UNIQUE or PRIMARY KEY without USING INDEX on an existing "
	    "table",
	    "builds the index under ACCESS EXCLUSIVE: reads and writes wait",
	    "CREATE UNIQUE INDEX CONCURRENTLY i (transactional: false "
	    "revision); then ADD CONSTRAINT c UNIQUE USING INDEX i",
	    "disallowed-unique-constraint,adding-serial-primary-key-field" },
	[LR_EXCLUSION] = { "exclusion-constraint", W, "all",
	    "ADD EXCLUDE constraint on an existing table",
	    "builds its index under ACCESS EXCLUSIVE (USING INDEX is not "
	    "possible for EXCLUDE)",
	    "add it while the table is small, or in a maintenance window",
	    NULL },
	[LR_TYPE_REWRITE] = { "alter-column-type-rewrite", E, "all",
	    "ALTER COLUMN ... TYPE that rewrites the table (the current type "
	    "is not binary-coercible to the new one)",
	    "rewrites the table and rebuilds its indexes under ACCESS "
	    "EXCLUSIVE",
	    "add a column of the new type, write both (trigger), backfill in "
	    "batches, switch reads, drop the old column; varchar(n) -> text or "
	    "a larger n needs no rewrite",
	    "changing-column-type" },
	[LR_TYPE_VIEW] = { "alter-column-type-view", E, "all",
	    "ALTER COLUMN ... TYPE of a column a view or rule reads",
	    "PostgreSQL refuses it (\"cannot alter type of a column used by a "
	    "view or rule\"): the revision fails",
	    "DROP VIEW, ALTER the column, CREATE VIEW again, in one revision",
	    NULL },
	[LR_TABLE_REWRITE] = { "alter-table-rewrite", E, "all",
	    "ALTER TABLE SET TABLESPACE, SET LOGGED, SET UNLOGGED or SET "
	    "ACCESS METHOD",
	    "copies the whole table under ACCESS EXCLUSIVE",
	    "a new table filled in batches (or logical replication), then a "
	    "swap", NULL },
	[LR_RENAME_COLUMN] = { "rename-column", W, "all",
	    "RENAME COLUMN of an existing table",
	    "the running application still uses the old name: its queries "
	    "fail from the commit on",
	    "add the new column, write both, backfill, move readers, drop the "
	    "old one later (or a view with the old name)", "renaming-column" },
	[LR_RENAME_TABLE] = { "rename-table", W, "all",
	    "RENAME of an existing table or view",
	    "the running application still uses the old name: its queries "
	    "fail from the commit on",
	    "rename, and create a view with the old name for the time of the "
	    "deploy", "renaming-table" },
	[LR_DROP_COLUMN] = { "drop-column", E, "all",
	    "DROP COLUMN of an existing table",
	    "its data is gone, and code that still reads it fails",
	    "stop reading and writing it in a deploy first, then drop it "
	    "(lint_allow with the release that stopped using it)",
	    "ban-drop-column" },
	[LR_DROP_TABLE] = { "drop-table", E, "all",
	    "DROP TABLE of an existing table",
	    "its data is gone, and code that still reads it fails",
	    "stop using it in a deploy first, then drop it (lint_allow with "
	    "the reason)", "ban-drop-table" },
	[LR_DROP_SCHEMA] = { "drop-schema", E, "all",
	    "DROP SCHEMA",
	    "every object in it is gone with its data (CASCADE: silently)",
	    "drop the objects one by one in reviewed revisions", NULL },
	[LR_DROP_DATABASE] = { "drop-database", E, "all",
	    "DROP DATABASE",
	    "a whole database is gone", "not in a migration",
	    "ban-drop-database" },
	[LR_ENUM_RENAME] = { "enum-rename-value", W, "10+",
	    "ALTER TYPE ... RENAME VALUE",
	    "rows keep working, but the running application still sends the "
	    "old label: its writes fail",
	    "ADD VALUE the new label, move the code and the rows to it, stop "
	    "using the old one (it cannot be removed)", NULL },
	[LR_ENUM_REMOVE] = { "enum-remove-value", E, "all",
	    "removal of enum values: writes to pg_enum, or DROP TYPE of an "
	    "enum",
	    "rows holding the value become unreadable (pg_enum) or columns "
	    "are dropped (CASCADE)",
	    "a new type without the value and ALTER COLUMN ... TYPE new USING "
	    "col::text::new after moving the rows off it", NULL },
	[LR_ENUM_ADD_IN_TXN] = { "enum-add-value-in-transaction", E, "12+",
	    "ALTER TYPE ... ADD VALUE and a use of the new value in the same "
	    "transaction",
	    "PostgreSQL refuses it (\"unsafe use of new value\"): the "
	    "revision fails",
	    "ADD VALUE in one revision, use it in a later one", NULL },
	[LR_REFRESH_MATVIEW] = { "refresh-matview-not-concurrent", W, "all",
	    "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
	    "takes ACCESS EXCLUSIVE on the view: every read of it waits for "
	    "the whole query",
	    "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on "
	    "the view)", NULL },
	[LR_DETACH_NOT_CONCURRENT] = { "detach-partition-not-concurrent", W,
	    "14+", "DETACH PARTITION without CONCURRENTLY",
	    "takes ACCESS EXCLUSIVE on the partitioned table: every query on "
	    "it waits",
	    "DETACH PARTITION ... CONCURRENTLY in a transactional: false "
	    "revision", "require-concurrent-partition-detach" },
	[LR_ATTACH_NO_CHECK] = { "attach-partition-without-check", W, "all",
	    "ATTACH PARTITION of a table whose validated CHECKs and NOT NULL "
	    "columns are not proved to imply the bound",
	    "scans the table (and the default partition) to prove every row "
	    "fits the bound, holding its ACCESS EXCLUSIVE lock",
	    "ADD CHECK (key IS NOT NULL AND key >= lo AND key < hi), or "
	    "key IN (...) for a list, NOT VALID; VALIDATE it; ATTACH (the "
	    "scan is skipped); drop the CHECK", NULL },
	[LR_VACUUM_FULL] = { "vacuum-full", E, "all",
	    "VACUUM FULL",
	    "rewrites the table under ACCESS EXCLUSIVE: nothing reads or "
	    "writes it meanwhile",
	    "pg_repack or pg_squeeze, outside migrations", "prefer-repack" },
	[LR_CLUSTER] = { "cluster", E, "all",
	    "CLUSTER",
	    "rewrites the table under ACCESS EXCLUSIVE: nothing reads or "
	    "writes it meanwhile",
	    "pg_repack --order-by, outside migrations", "prefer-repack" },
	[LR_TRUNCATE_CASCADE] = { "truncate-cascade", E, "all",
	    "TRUNCATE ... CASCADE",
	    "also empties every table with a foreign key to it, recursively, "
	    "without naming them",
	    "TRUNCATE the tables by name (RESTRICT, the default, refuses if "
	    "one is missing)", "ban-truncate-cascade" },
	[LR_LOCK_TABLE] = { "lock-table", W, "all",
	    "explicit LOCK TABLE (ACCESS EXCLUSIVE unless a mode is given)",
	    "held to the end of the transaction: everything after it in the "
	    "revision runs with the table blocked",
	    "the weakest mode that works, as late as possible; or none (each "
	    "statement takes what it needs)", NULL },
	[LR_BACKFILL] = { "backfill-in-ddl-revision", W, "all",
	    "UPDATE or DELETE of an existing table in a revision that also "
	    "changes the schema",
	    "all rows are changed in the DDL transaction: its locks and the "
	    "row locks are held for the whole backfill",
	    "a separate revision (or a job) that updates in batches of a few "
	    "thousand rows", NULL },
	[LR_LOCK_TIMEOUT_ZERO] = { "lock-timeout-zero", E, "all",
	    "lock_timeout: 0 in the header, or SET lock_timeout = 0",
	    "a statement waiting for its lock waits forever, and every query "
	    "on the table queues behind it",
	    "a short lock_timeout (1s-5s): the daemon retries (lock_retries)",
	    "require-lock-timeout,require-timeout-settings" },
	[LR_NT_NO_LOCK_TIMEOUT] = { "non-transactional-no-lock-timeout", W,
	    "all", "transactional: false revision without a lock_timeout "
	    "header",
	    "the daemon's lock_timeout applies only to transactional "
	    "revisions: these statements may wait for locks forever",
	    "add -- lock_timeout: 5s (a cancelled CREATE INDEX CONCURRENTLY "
	    "leaves an invalid index: pair it with DROP INDEX CONCURRENTLY IF "
	    "EXISTS)", "require-lock-timeout,require-timeout-settings" },
	[LR_NT_NOT_IDEMPOTENT] = { "non-idempotent-non-transactional", W,
	    "all", "a statement of a transactional: false revision that fails "
	    "or doubles its effect when run again",
	    "a retry or `resolve --rolled-back` re-runs the revision from its "
	    "first statement: what already ran must run again cleanly",
	    "IF NOT EXISTS / IF EXISTS / OR REPLACE; name every index and "
	    "precede CREATE INDEX CONCURRENTLY with DROP INDEX CONCURRENTLY "
	    "IF EXISTS of the same name", "prefer-robust-stmts" },
	[LR_IDENT_TOO_LONG] = { "identifier-too-long", W, "all",
	    "identifier longer than 63 bytes",
	    "PostgreSQL truncates it silently: two names can become one, and "
	    "IF NOT EXISTS then matches the wrong object",
	    "a name of at most 63 bytes", "identifier-too-long" },
	[LR_UNPARSED] = { "unparsed-statement", N, "-",
	    "a statement the PostgreSQL 15 grammar of lint cannot parse",
	    "no rule could look at it (newer syntax, or an error the server "
	    "will report)",
	    "check it by hand, or lint_allow with the reason", NULL },
	[LR_SPLIT] = { "split-disagreement", N, "-",
	    "a piece of the statement splitter that parses to more than one "
	    "statement",
	    "the runner would send them as one; error positions may be off",
	    "end each statement with ';' on its own (and report the case)",
	    NULL },
	[LR_ALLOW_UNKNOWN] = { "lint-allow-unknown", W, "-",
	    "lint_allow names a rule lint does not have",
	    "a typo silences nothing, and the finding it meant stays",
	    "use an id from migratectl lint --rules", "unused-ignore" },
	[LR_ALLOW_UNUSED] = { "lint-allow-unused", N, "-",
	    "lint_allow that silenced no finding",
	    "a stale allowance would silence a new finding of that rule later",
	    "remove the header line", "unused-ignore" },
};
#undef E
#undef W
#undef N
const size_t lint_nrules = ARRAY_LEN(lint_rules);
_Static_assert(ARRAY_LEN(lint_rules) == LR__MAX,
    "lint_rules[] and enum lint_rule_id differ");

const struct lint_rule *
lint_rule_find(const char *id)
{
	size_t i;

	for (i = 0; i < lint_nrules; i++)
		if (strcmp(lint_rules[i].id, id) == 0)
			return &lint_rules[i];
	return NULL;
}

const char *
lint_sev_name(enum lint_sev s)
{
	switch (s) {
	case LINT_NOTE:
		return "note";
	case LINT_WARNING:
		return "warning";
	case LINT_ERROR:
		return "error";
	default:
		return "none";
	}
}

int
lint_sev_parse(const char *s, enum lint_sev *out)
{
	static const enum lint_sev all[] = { LINT_NOTE, LINT_WARNING,
	    LINT_ERROR, LINT_NEVER };
	size_t i;

	for (i = 0; i < ARRAY_LEN(all); i++)
		if (strcmp(s, lint_sev_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -EINVAL;
}
