#!/usr/bin/env bash
# Dry runs: `upgrade head --sql` and `downgrade base --sql` print a
# psql-runnable script holding the revisions' statements and change nothing
# (no version row, table or history row); `--json` carries it in
# result.sql with from/to/steps and no events; a standby answers them too
# (a dry run is a read).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# snap URL: relations and functions in the test role's schema (T_SCHEMA),
# version rows, history rows, seed rows -- one line.
snap() {
	t_sql "$1" "SELECT (SELECT coalesce(string_agg(relname || ':' || relkind::text, ',' ORDER BY relname), '') FROM pg_class WHERE relnamespace = '$T_SCHEMA'::regnamespace)
	|| ' / ' || (SELECT count(*) FROM pg_proc WHERE pronamespace = '$T_SCHEMA'::regnamespace)
	|| ' / ' || (SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version)
	|| ' / ' || $(count_of migrated_history) || ' / ' || $(count_of system_config)"
}
# count_of TABLE: SQL for its row count, or '-' when it does not exist.
count_of() {
	echo "CASE WHEN to_regclass('$1') IS NULL THEN '-' ELSE (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM $1', false, true, '')))[1]::text END"
}

db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
t_start b "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is b behind
[[ $(t_field b .result.role) == standby ]] || fail "b is not standby"
before=$(snap "$db")
[[ $before == *" / 0 /  / 0 / -" ]] || fail "setup: $before"

# ---- upgrade head --sql -------------------------------------------------------
ctl a upgrade head --sql >"$T_TMP/up.sql"
for s in 'CREATE TABLE users (' 'CREATE TABLE documents (' \
	'CREATE TABLE writing_styles (' 'INSERT INTO system_config' \
	'INSERT INTO prompt_templates' "'212c31d97f11'"; do
	grep -qF "$s" "$T_TMP/up.sql" || fail "upgrade --sql lacks '$s'"
done
# In plan order: baseline, then writing styles, then seed data.
a=$(grep -n 'CREATE TABLE users (' "$T_TMP/up.sql" | cut -d: -f1)
b=$(grep -n 'CREATE TABLE writing_styles (' "$T_TMP/up.sql" | cut -d: -f1)
c=$(grep -n 'INSERT INTO system_config' "$T_TMP/up.sql" | head -1 | cut -d: -f1)
((a < b && b < c)) || fail "statements out of order: $a $b $c"
grep -q 'DROP TABLE' "$T_TMP/up.sql" && fail "upgrade --sql holds downgrade statements"
[[ $(snap "$db") == "$before" ]] || fail "upgrade --sql changed the database: $before -> $(snap "$db")"
ok "upgrade head --sql prints the revisions' statements, in order, changes nothing"

out=$(t_json a upgrade head --sql)
[[ $(wc -l <<<"$out") == 1 ]] || fail "--json --sql printed events: $out"
[[ $(jq -c '[.ok, .result.from, .result.to, [.result.steps[].revision]]' <<<"$out") == \
	'[true,[],["212c31d97f11"],["2e0140e533a8","d382069dacef","212c31d97f11"]]' ]] ||
	fail "--json --sql result: $(jq -c 'del(.result.sql)' <<<"$out")"
[[ $(jq -r .result.steps[0].transactional <<<"$out") == true ]] || fail "steps: $out"
[[ $(jq -r .result.sql <<<"$out") == "$(cat "$T_TMP/up.sql")" ]] ||
	fail "--json sql differs from the human output"
t_expect 0 ctl b -q upgrade head --sql
[[ $(t_json b upgrade head --sql | jq -r .result.sql) == "$(cat "$T_TMP/up.sql")" ]] ||
	fail "the standby's script differs"
[[ $(snap "$db") == "$before" ]] || fail "changed: $(snap "$db")"
ok "--json: one document with from/to/steps/sql; the standby answers too"

# The script runs in psql and does what an upgrade does (on a database that
# has the version table, as the one it was planned for).
db2=$(t_newdb)
t_sql "$db2" "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)"
psql -X -q -v ON_ERROR_STOP=1 -d "$db2" -f "$T_TMP/up.sql" >/dev/null 2>"$T_TMP/psql.err" ||
	fail "psql -f upgrade script: $(cat "$T_TMP/psql.err")"
[[ $(t_sql "$db2" "SELECT string_agg(version_num, ',') FROM alembic_version") == 212c31d97f11 ]] ||
	fail "script left version rows $(t_sql "$db2" "SELECT * FROM alembic_version")"
[[ $(t_sql "$db2" "SELECT count(*) FROM writing_styles") -ge 0 && $(t_sql "$db2" "SELECT count(*) FROM system_config") -gt 0 ]] ||
	fail "script did not create and seed the schema"
ok "the upgrade script runs in psql and reaches 212c31d97f11"

# ---- downgrade base --sql ----------------------------------------------------
t_expect 0 ctl a -q upgrade head
before=$(snap "$db")
[[ $before == *" / 212c31d97f11 / 3 / "[1-9]* ]] || fail "after upgrade: $before"
ctl a downgrade base --sql >"$T_TMP/down.sql"
for s in 'DELETE FROM system_config' 'DROP TABLE writing_styles' \
	'DROP TABLE users' 'DROP FUNCTION set_updated_at()'; do
	grep -qF "$s" "$T_TMP/down.sql" || fail "downgrade --sql lacks '$s'"
done
a=$(grep -n 'DELETE FROM system_config' "$T_TMP/down.sql" | head -1 | cut -d: -f1)
b=$(grep -n 'DROP TABLE writing_styles' "$T_TMP/down.sql" | cut -d: -f1)
c=$(grep -n 'DROP TABLE users' "$T_TMP/down.sql" | cut -d: -f1)
((a < b && b < c)) || fail "downgrade statements out of order: $a $b $c"
# the only CREATE TABLE allowed is the version table's own IF NOT EXISTS
grep 'CREATE TABLE' "$T_TMP/down.sql" | grep -qv "CREATE TABLE IF NOT EXISTS \"$T_SCHEMA\".\"alembic_version\"" &&
	fail "downgrade --sql holds upgrade statements"
[[ $(snap "$db") == "$before" ]] || fail "downgrade --sql changed the database: $before -> $(snap "$db")"
out=$(t_json a downgrade base --sql)
[[ $(wc -l <<<"$out") == 1 ]] || fail "--json --sql printed events: $out"
[[ $(jq -c '[.result.from, .result.to, [.result.steps[] | .revision + ":" + .operation]]' <<<"$out") == \
	'[["212c31d97f11"],[],["212c31d97f11:downgrade","d382069dacef:downgrade","2e0140e533a8:downgrade"]]' ]] ||
	fail "downgrade --json --sql: $(jq -c 'del(.result.sql)' <<<"$out")"
[[ $(jq -r .result.sql <<<"$out") == "$(cat "$T_TMP/down.sql")" ]] ||
	fail "--json sql differs from the human output"
t_expect 0 ctl b -q downgrade base --sql
[[ $(snap "$db") == "$before" ]] || fail "changed: $(snap "$db")"
ok "downgrade base --sql prints the downgrades in order, changes nothing"

psql -X -q -v ON_ERROR_STOP=1 -d "$db2" -f "$T_TMP/down.sql" >/dev/null 2>"$T_TMP/psql.err" ||
	fail "psql -f downgrade script: $(cat "$T_TMP/psql.err")"
[[ $(snap "$db2") == "alembic_version:r,alembic_version_pkey:i / 0 /  / - / -" ]] ||
	fail "downgrade script left: $(snap "$db2")"
ok "the downgrade script runs in psql and returns to base"

# Errors are errors in a dry run too, and a dry run of nothing is empty.
t_expect 2 ctl a -q upgrade nosuchrev --sql 2>/dev/null
out=$(t_json a upgrade head --sql)
[[ $(jq -c '[.result.steps, .result.from, .result.to]' <<<"$out") == '[[],["212c31d97f11"],["212c31d97f11"]]' ]] ||
	fail "empty dry run: $(jq -c 'del(.result.sql)' <<<"$out")"
[[ $(snap "$db") == "$before" ]] || fail "changed: $(snap "$db")"
t_stop b
t_stop a
ok "a bad target is exit 2; a dry run with nothing to do has no steps"
