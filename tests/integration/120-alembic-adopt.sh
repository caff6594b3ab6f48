#!/usr/bin/env bash
# A database left by Alembic (the first two sample revisions applied by psql,
# Alembic's own alembic_version table, no migrated_history) is adopted as it
# is: state behind at d382069dacef, only 212c31d97f11 runs, the adopted
# revisions have no checksum and are not drift, verify passes.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

sample=$TOP_SRCDIR/migrations/versions

# upsql FILE: the upgrade section of a migration file, as psql input.
upsql() {
	awk '/^-- \+upgrade$/ { on = 1; next } /^-- \+downgrade$/ { on = 0 }
		on' "$1"
}

# alembic_db: a fresh database as `alembic upgrade d382069dacef` leaves it.
alembic_db() {
	local url
	url=$(t_newdb)
	{
		echo 'BEGIN;'
		echo 'CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));'
		upsql "$sample/2e0140e533a8_baseline_schema.sql"
		echo "INSERT INTO alembic_version (version_num) VALUES ('2e0140e533a8');"
		upsql "$sample/d382069dacef_add_writing_styles.sql"
		echo "UPDATE alembic_version SET version_num = 'd382069dacef' WHERE version_num = '2e0140e533a8';"
		echo 'COMMIT;'
	} | psql -X -q -v ON_ERROR_STOP=1 -d "$url" >/dev/null ||
		fail "psql could not prepare the Alembic database"
	echo "$url"
}

# the application's tables, sorted, one line
app_tables() {
	t_sql "$1" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = '$T_SCHEMA' AND tablename NOT IN ('alembic_version', 'migrated_history', 'migrated_schema')"
}

# --- with auto-migrate off: adopt, look, then upgrade by hand -------------
db=$(alembic_db)
[[ $(t_sql "$db" "SELECT to_regclass('migrated_history') IS NULL") == t ]] ||
	fail "migrated_history exists before the daemon ran"
[[ $(t_sql "$db" "SELECT count(*) FROM system_config") == 0 ]] ||
	fail "seed rows before the daemon ran"
tables_before=$(app_tables "$db")
[[ $tables_before == *writing_styles* ]] || fail "no writing_styles: $tables_before"

dir=$(t_migdir sample)
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
st=$(t_json a status --fresh)
[[ $(jq -c .result.current <<<"$st") == '["d382069dacef"]' ]] ||
	fail "current: $(jq -c .result.current <<<"$st")"
[[ $(jq -c '[.result.pending[].revision]' <<<"$st") == '["212c31d97f11"]' ]] ||
	fail "pending: $(jq -c .result.pending <<<"$st")"
[[ $(jq -c .result.drift <<<"$st") == '[]' ]] ||
	fail "drift on adoption: $(jq -c .result.drift <<<"$st")"
[[ $(ctl a current) == d382069dacef ]] || fail "current: $(ctl a current)"
t_expect 3 ctl a status --check
t_expect 0 ctl a verify
# adopting wrote nothing: the version row is Alembic's, no history rows
[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == d382069dacef ]] ||
	fail "version rows changed by adoption"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history") == 0 ]] ||
	fail "history rows written by adoption"
[[ $(app_tables "$db") == "$tables_before" ]] || fail "tables changed by adoption"
ok "adopted: behind at d382069dacef, no drift, nothing written"

out=$(t_json a upgrade) || fail "upgrade failed: $out"
[[ $(jq -c '[.result.steps[].revision]' <<<"$(tail -n 1 <<<"$out")") == '["212c31d97f11"]' ]] ||
	fail "upgrade steps: $out"
# the events name only the last revision too
started=$(jq -r 'select(.event == "step_started") | .revision' <<<"$out" | tr '\n' ' ')
[[ $started == "212c31d97f11 " ]] || fail "steps started: $started"
[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == 212c31d97f11 ]] ||
	fail "version rows: $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version")"
[[ $(t_sql "$db" "SELECT string_agg(revision || ':' || operation || ':' || outcome, ',') FROM migrated_history") == 212c31d97f11:upgrade:ok ]] ||
	fail "history: $(t_sql "$db" "SELECT string_agg(revision || ':' || operation || ':' || outcome, ',') FROM migrated_history")"
[[ $(t_sql "$db" "SELECT count(*) FROM system_config") == 10 ]] ||
	fail "seed rows: $(t_sql "$db" "SELECT count(*) FROM system_config")"
[[ $(t_sql "$db" "SELECT count(*) FROM prompt_templates") == 4 ]] ||
	fail "prompt templates: $(t_sql "$db" "SELECT count(*) FROM prompt_templates")"
# Alembic's table is still Alembic's: same constraint, same column
[[ $(t_sql "$db" "SELECT conname FROM pg_constraint WHERE conrelid = 'alembic_version'::regclass") == alembic_version_pkc ]] ||
	fail "alembic_version's constraint changed"
[[ $(app_tables "$db") == "$tables_before" ]] || fail "tables changed by the seed step"
ok "upgrade applied only 212c31d97f11"

st=$(t_json a status --fresh)
[[ $(jq -r .result.state <<<"$st") == current ]] || fail "state: $(jq -r .result.state <<<"$st")"
[[ $(jq -c .result.drift <<<"$st") == '[]' ]] || fail "drift after upgrade: $st"
v=$(t_json a verify) || fail "verify failed: $v"
[[ $(jq -r .result.ok <<<"$v") == true ]] || fail "verify: $v"
[[ $(jq -r .result.checked <<<"$v") == 1 ]] || fail "verify checked: $v"
t_expect 0 ctl a verify
t_expect 0 ctl a status --check
t_stop a
ok "current, verify exits 0, adopted revisions are not drift"

# --- with auto-migrate on: adopted and brought to head at start ------------
db2=$(alembic_db)
t_start b "$db2" "$dir"
t_wait_for 10 t_state_is b current
[[ $(t_sql "$db2" "SELECT string_agg(revision || ':' || operation, ',') FROM migrated_history") == 212c31d97f11:upgrade ]] ||
	fail "auto-migrate history: $(t_sql "$db2" "SELECT string_agg(revision || ':' || operation, ',') FROM migrated_history")"
[[ $(t_sql "$db2" "SELECT requested_by FROM migrated_history") == auto ]] ||
	fail "requested_by: $(t_sql "$db2" "SELECT requested_by FROM migrated_history")"
[[ $(t_sql "$db2" "SELECT version_num FROM alembic_version") == 212c31d97f11 ]] ||
	fail "auto-migrate version rows"
t_expect 0 ctl b verify
t_stop b
ok "auto-migrate adopts and applies only the seed revision"
