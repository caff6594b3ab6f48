#!/usr/bin/env bash
# Auto-migrate off (DISABLE_AUTO_MIGRATIONS=true/1/yes in the environment,
# or --no-auto-migrate): the leader applies nothing, reports `behind` with
# the pending list, `status --check` and `check` exit 3, until someone runs
# `upgrade head`; a reload with new files applies nothing either.
# DISABLE_AUTO_MIGRATIONS=false/no/0 auto-applies; a bad value is exit 78.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

SAMPLE_PENDING='["2e0140e533a8","d382069dacef","212c31d97f11"]'

# dbstate URL: "VERSION_ROWS|APPLICATION_TABLES|HISTORY_ROWS" in one query
# (the tables the daemon creates may not exist yet).
dbstate() {
	t_sql "$1" "SELECT coalesce(CASE WHEN to_regclass('alembic_version') IS NOT NULL THEN (xpath('/row/v/text()', query_to_xml('SELECT string_agg(version_num, '','' ORDER BY version_num) AS v FROM alembic_version', false, true, '')))[1]::text END, '')
	|| '|' || (SELECT count(*) FROM pg_tables WHERE schemaname = '$T_SCHEMA' AND tablename NOT IN ('alembic_version', 'migrated_history', 'migrated_schema'))
	|| '|' || coalesce(CASE WHEN to_regclass('migrated_history') IS NOT NULL THEN (xpath('/row/n/text()', query_to_xml('SELECT count(*) AS n FROM migrated_history', false, true, '')))[1]::text END, '0')"
}

# off NAME URL: NAME leads, is behind, has auto_migrate false and applied
# nothing (checked after giving a wrong auto-migrate time to run).
off() {
	local st
	t_wait_for 10 t_state_is "$1" behind
	sleep 0.3
	st=$(t_json "$1" status --fresh)
	[[ $(jq -r .result.role <<<"$st") == leader ]] || fail "$1 not leader: $st"
	[[ $(jq -r .result.state <<<"$st") == behind ]] || fail "state: $st"
	[[ $(jq -r .result.auto_migrate <<<"$st") == false ]] ||
		fail "auto_migrate: $st"
	[[ $(dbstate "$2") == '|0|0' ]] || fail "$1 changed the database: $(dbstate "$2")"
	echo "$st" >"$T_TMP/status.json"
}

# ---- DISABLE_AUTO_MIGRATIONS=true ----------------------------------------
db=$(t_newdb)
dir=$(t_migdir sample)
DISABLE_AUTO_MIGRATIONS=true t_start env "$db" "$dir"
off env "$db"
st=$(cat "$T_TMP/status.json")
[[ $(jq -c '[.result.pending[].revision]' <<<"$st") == "$SAMPLE_PENDING" ]] ||
	fail "pending: $(jq -c .result.pending <<<"$st")"
[[ $(jq -r '.result.pending[0].message' <<<"$st") == baseline* ]] ||
	fail "pending messages: $(jq -c .result.pending <<<"$st")"
[[ $(jq -c .result.current <<<"$st") == '[]' ]] || fail "current: $st"
ctl env status | grep -q 'behind' || fail "human status: $(ctl env status)"
t_expect 3 ctl env status --check >/dev/null
t_expect 3 ctl env check >/dev/null
t_stop env
ok "DISABLE_AUTO_MIGRATIONS=true: behind, 3 pending, exits 3, nothing applied"

# ---- --no-auto-migrate, which wins over DISABLE_AUTO_MIGRATIONS=false ----
DISABLE_AUTO_MIGRATIONS=false t_start flag "$db" "$dir" --no-auto-migrate
off flag "$db"
t_expect 3 ctl flag status --check >/dev/null
t_expect 3 ctl flag check >/dev/null
ok "--no-auto-migrate: behind, exits 3, nothing applied; wins over the env"

t_expect 0 ctl flag -q upgrade d382
[[ $(dbstate "$db") == d382069dacef\|*\|2 ]] || fail "upgrade d382: $(dbstate "$db")"
t_expect 3 ctl flag check >/dev/null
[[ $(t_field flag '[.result.pending[].revision] | join(",")') == 212c31d97f11 ]] ||
	fail "pending after d382: $(t_field flag .result.pending)"
t_expect 0 ctl flag -q upgrade head
[[ $(dbstate "$db") == 212c31d97f11\|*\|3 ]] || fail "upgrade head: $(dbstate "$db")"
t_expect 0 ctl flag status --check >/dev/null
t_expect 0 ctl flag check >/dev/null
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE requested_by = 'auto'") == 0 ]] ||
	fail "history rows requested_by auto"
ok "upgrade by hand applies; status --check and check then exit 0"

t_rev "$dir" ffff0004 212c31d97f11 'CREATE TABLE extra_t (id int);' \
	'DROP TABLE extra_t;' >/dev/null
t_expect 0 ctl flag -q reload
sleep 0.3
t_wait_for 5 t_state_is flag behind
[[ $(dbstate "$db") == 212c31d97f11\|*\|3 ]] || fail "reload applied: $(dbstate "$db")"
t_expect 3 ctl flag status --check >/dev/null
t_expect 0 ctl flag -q upgrade head
t_expect 0 ctl flag status --check >/dev/null
[[ $(t_sql "$db" "SELECT to_regclass('extra_t') IS NOT NULL") == t ]] ||
	fail "extra_t missing"
t_stop flag
ok "a reload with a new file applies nothing until upgrade head"

# ---- DISABLE_AUTO_MIGRATIONS=false: auto-applies ----------------------------
db=$(t_newdb)
rm "$dir"/ffff0004_rev.sql
DISABLE_AUTO_MIGRATIONS=false t_start auto "$db" "$dir"
t_wait_for 10 t_state_is auto current
[[ $(dbstate "$db") == 212c31d97f11\|*\|3 ]] || fail "=false: $(dbstate "$db")"
[[ $(t_field auto .result.auto_migrate) == true ]] || fail "auto_migrate not true"
t_expect 0 ctl auto status --check >/dev/null
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'ok' AND requested_by = 'auto'") == 3 ]] ||
	fail "history: $(t_sql "$db" "SELECT revision, outcome, requested_by FROM migrated_history")"
t_stop auto
ok "DISABLE_AUTO_MIGRATIONS=false auto-applies (requested_by auto)"

# ---- the other spellings (on the current database: nothing to apply) -------
for v in 1:false yes:false no:true 0:true; do
	DISABLE_AUTO_MIGRATIONS=${v%:*} t_start "v${v%:*}" "$db" "$dir"
	[[ $(t_field "v${v%:*}" .result.auto_migrate) == "${v#*:}" ]] ||
		fail "DISABLE_AUTO_MIGRATIONS=${v%:*}: auto_migrate $(t_field "v${v%:*}" .result.auto_migrate)"
	t_stop "v${v%:*}"
done
ok "DISABLE_AUTO_MIGRATIONS=1/yes disable, =no/0 do not"

# ---- a bad value is a configuration error: exit 78 ------------------------
rc=0
DISABLE_AUTO_MIGRATIONS=maybe timeout 10 "$MIGRATED" -d "$db" -m "$dir" \
	-s "$T_TMP/bad.sock" >"$T_TMP/bad.out" 2>&1 || rc=$?
((rc == 78)) || fail "DISABLE_AUTO_MIGRATIONS=maybe exited $rc"
grep -q 'DISABLE_AUTO_MIGRATIONS' "$T_TMP/bad.out" &&
	grep -q 'maybe' "$T_TMP/bad.out" ||
	fail "error does not name the variable and value: $(cat "$T_TMP/bad.out")"
ok "DISABLE_AUTO_MIGRATIONS=maybe: exit 78 naming it"
