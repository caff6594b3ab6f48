#!/usr/bin/env bash
# Auto-migrate off (DISABLE_AUTO_MIGRATIONS=true in the environment, or
# --no-auto-migrate): the leader applies nothing, reports `behind` with the
# pending list, `status --check` and `check` exit 3, until someone runs
# `upgrade head`. DISABLE_AUTO_MIGRATIONS=false (or no/0) auto-applies.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

SAMPLE_PENDING='["2e0140e533a8","d382069dacef","212c31d97f11"]'

applied() {
	t_sql "$1" "SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version" 2>/dev/null || true
}
app_tables() {
	t_sql "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('alembic_version', 'migrated_history')"
}

# check_off NAME URL: the daemon NAME leads, is behind, and applied nothing.
check_off() {
	local name=$1 db=$2 st
	t_wait_for 10 t_state_is "$name" behind
	[[ $(t_field "$name" .result.role) == leader ]] || fail "$name is not leader"
	sleep 0.5 # give a wrong auto-migrate its chance to run
	st=$(t_json "$name" status --fresh)
	[[ $(jq -r .result.state <<<"$st") == behind ]] || fail "state: $st"
	[[ $(jq -r .result.auto_migrate <<<"$st") == false ]] ||
		fail "auto_migrate: $st"
	[[ $(jq -c '[.result.pending[].revision]' <<<"$st") == "$SAMPLE_PENDING" ]] ||
		fail "pending: $(jq -c .result.pending <<<"$st")"
	[[ $(jq -r '.result.pending[0].message' <<<"$st") == baseline* ]] ||
		fail "pending messages: $(jq -c .result.pending <<<"$st")"
	[[ $(jq -c .result.current <<<"$st") == '[]' ]] || fail "current: $st"
	[[ -z $(applied "$db") ]] || fail "version rows: $(applied "$db")"
	[[ $(app_tables "$db") == 0 ]] || fail "$(app_tables "$db") tables created"
	n=$(t_sql "$db" "SELECT count(*) FROM migrated_history" 2>/dev/null || echo 0)
	[[ $n == 0 ]] || fail "$n history rows"
	ctl "$name" status | grep -q 'behind' || fail "human status: $(ctl "$name" status)"
	t_expect 3 ctl "$name" status --check >/dev/null
	t_expect 3 ctl "$name" check >/dev/null
}

# upgrade_on NAME URL: upgrade head by hand, then everything says current.
upgrade_on() {
	local name=$1 db=$2
	t_expect 0 ctl "$name" -q upgrade head
	[[ $(applied "$db") == 212c31d97f11 ]] || fail "after upgrade: $(applied "$db")"
	(($(app_tables "$db") > 0)) || fail "no tables after upgrade"
	t_expect 0 ctl "$name" status --check >/dev/null
	t_expect 0 ctl "$name" check >/dev/null
	[[ $(t_field "$name" .result.pending) == '[]' ]] || fail "pending after upgrade"
}

# ---- DISABLE_AUTO_MIGRATIONS=true ----------------------------------------
db=$(t_newdb)
dir=$(t_migdir sample)
DISABLE_AUTO_MIGRATIONS=true t_start env "$db" "$dir"
check_off env "$db"
ok "DISABLE_AUTO_MIGRATIONS=true: behind, 3 pending, exits 3, nothing applied"
# A reload that brings a new file applies nothing either.
t_expect 0 ctl env -q upgrade d382
[[ $(applied "$db") == d382069dacef ]] || fail "upgrade d382: $(applied "$db")"
t_expect 3 ctl env check >/dev/null
upgrade_on env "$db"
t_rev "$dir" ffff0004 212c31d97f11 'CREATE TABLE extra_t (id int);' \
	'DROP TABLE extra_t;' >/dev/null
t_expect 0 ctl env -q reload
sleep 0.5
t_wait_for 5 t_state_is env behind
[[ $(applied "$db") == 212c31d97f11 ]] || fail "reload applied: $(applied "$db")"
[[ $(t_sql "$db" "SELECT to_regclass('extra_t') IS NULL") == t ]] ||
	fail "extra_t created by reload"
t_expect 3 ctl env status --check >/dev/null
t_expect 0 ctl env -q upgrade head
t_expect 0 ctl env status --check >/dev/null
t_stop env
ok "DISABLE_AUTO_MIGRATIONS=true: upgrade head by hand applies, reload does not"

# ---- --no-auto-migrate (wins over DISABLE_AUTO_MIGRATIONS=false) --------
for v in 1 yes; do
	db=$(t_newdb)
	dir=$(t_migdir sample)
	DISABLE_AUTO_MIGRATIONS=$v t_start "env$v" "$db" "$dir"
	check_off "env$v" "$db"
	t_stop "env$v"
done
ok "DISABLE_AUTO_MIGRATIONS=1 and =yes also disable"

db=$(t_newdb)
dir=$(t_migdir sample)
DISABLE_AUTO_MIGRATIONS=false t_start flag "$db" "$dir" --no-auto-migrate
check_off flag "$db"
upgrade_on flag "$db"
t_stop flag
ok "--no-auto-migrate: same, and the flag wins over the environment"

# ---- DISABLE_AUTO_MIGRATIONS=false / no / 0: auto-applies -----------------
for v in false no 0; do
	db=$(t_newdb)
	dir=$(t_migdir sample)
	DISABLE_AUTO_MIGRATIONS=$v t_start "auto$v" "$db" "$dir"
	t_wait_for 10 t_state_is "auto$v" current
	[[ $(applied "$db") == 212c31d97f11 ]] || fail "=$v: $(applied "$db")"
	[[ $(t_field "auto$v" .result.auto_migrate) == true ]] ||
		fail "=$v: auto_migrate not true"
	t_expect 0 ctl "auto$v" status --check >/dev/null
	[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'ok' AND requested_by = 'auto'") == 3 ]] ||
		fail "=$v: history: $(t_sql "$db" "SELECT revision, outcome, requested_by FROM migrated_history")"
	t_stop "auto$v"
done
ok "DISABLE_AUTO_MIGRATIONS=false/no/0 auto-applies (requested_by auto)"

# ---- a bad value is a configuration error: exit 78 ------------------------
rc=0
DISABLE_AUTO_MIGRATIONS=maybe timeout 10 "$MIGRATED" -d "$db" -m "$dir" \
	-s "$T_TMP/bad.sock" >"$T_TMP/bad.out" 2>&1 || rc=$?
((rc == 78)) || fail "DISABLE_AUTO_MIGRATIONS=maybe exited $rc"
grep -q 'DISABLE_AUTO_MIGRATIONS' "$T_TMP/bad.out" &&
	grep -q 'maybe' "$T_TMP/bad.out" ||
	fail "error does not name the variable and value: $(cat "$T_TMP/bad.out")"
ok "DISABLE_AUTO_MIGRATIONS=maybe: exit 78 naming it"
