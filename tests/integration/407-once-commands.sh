#!/usr/bin/env bash
# migrated --once runs the client's change and read commands without a
# daemon (issue 10 item 8): the same engine, output and exit codes as
# migratectl against a daemon; --once [TARGET] is unchanged.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

rows() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version" 2>/dev/null || true
}
# once ARGS...: migrated --once on $db/$dir; stdout in $out, stderr in
# $err, status in $rc. No socket may appear.
once() {
	rc=0
	t_migrated -d "$db" -m "$dir" -s "$T_TMP/once.sock" --lock-wait 5s \
		--once "$@" >"$T_TMP/once.out" 2>"$T_TMP/once.err" || rc=$?
	out=$(cat "$T_TMP/once.out")
	err=$(cat "$T_TMP/once.err")
	[[ ! -e $T_TMP/once.sock ]] || fail "--once created a socket"
}
expect() {
	local want=$1
	shift
	once "$@"
	((rc == want)) || fail "--once $* exited $rc, expected $want: $out $err"
}

db=$(t_newdb)
dir=$(t_migdir sample)

# ---- reads on a database that is behind ------------------------------------------
expect 3 status --check
grep -q '^state      behind (3 pending' <<<"$out" || fail "status: $out"
grep -q '^next       run: migratectl upgrade (3 pending revisions)' <<<"$out" || fail "status next: $out"
expect 0 status --json
[[ $(jq -r .result.state <<<"$out") == behind ]] || fail "status --json: $out"
expect 0 history
[[ $(head -n 1 <<<"$out") == "d382069dacef -> 212c31d97f11 (head), seed data" ]] || fail "history: $out"
expect 0 current
[[ -z $out ]] || fail "current at base: $out"
expect 0 upgrade head --sql
grep -q 'CREATE TABLE' <<<"$out" || fail "--sql: $out"
[[ $(rows) == "" ]] || fail "--sql applied something"
ok "status --check (3), status --json, history, current, upgrade --sql"

# ---- changes --------------------------------------------------------------------------
expect 0 upgrade
grep -q '^  ok     2e0140e533a8' <<<"$out" || fail "upgrade steps: $out"
grep -q '^upgraded base -> 212c31d97f11 in 3 steps' <<<"$out" || fail "upgrade summary: $out"
[[ $(rows) == 212c31d97f11 ]] || fail "rows: $(rows)"
expect 0 current
[[ $out == "212c31d97f11 (head)" ]] || fail "current: $out"
expect 0 downgrade -1
grep -q '^downgraded 212c31d97f11 -> d382069dacef in 1 step' <<<"$out" || fail "downgrade: $out"
[[ $(rows) == d382069dacef ]] || fail "rows after downgrade -1: $(rows)"
expect 3 check
expect 2 upgrade -1
grep -qx 'hint: use downgrade -1' <<<"$err" || fail "upgrade -1: $err"
expect 0 log -n 2
grep -q 'downgrade  212c31d97f11' <<<"$out" || fail "log: $out"
expect 0 upgrade
expect 0 status --check
ok "upgrade, downgrade -1, check, log; upgrade -1 is exit 2 with its hint"

# ---- the command line --------------------------------------------------------------------
expect 2 stauts --check
grep -qx "Did you mean 'status'?" <<<"$err" || fail "typo: $err"
expect 2 wait
grep -q -- '--once cannot run wait' <<<"$err" || fail "wait: $err"
expect 0 status --help
grep -q '^Usage: migratectl status' <<<"$out" || fail "status --help: $out"
expect 2 downgrade
ok "usage errors and --help before any connection"

# ---- beside a daemon: reads answer, changes wait for the lock ------------------------------
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a current
expect 0 status
grep -q '^role       standby' <<<"$out" || fail "status beside a leader: $out"
rc=0
# with the default --lock-wait of 60 s, timeout 30 would end it (exit 124)
t_args -d "$db" -m "$dir" --lock-wait 1s --once downgrade -1
timeout 30 "$MIGRATED" "${T_ARGS[@]}" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
((rc == 75)) || fail "downgrade beside a leader exited $rc: $(cat "$T_TMP/err")"
[[ $(rows) == 212c31d97f11 ]] || fail "rows changed: $(rows)"
ok "beside a leader: status answers (standby), a change waits --lock-wait then 75"
t_stop a

# ---- --once [TARGET] as before ----------------------------------------------------------------
expect 2 d382
grep -qx 'hint: use downgrade d382' <<<"$err" || fail "--once d382 at head: $err"
expect 0 heads
grep -qx 'at 212c31d97f11' <<<"$out" || fail "--once heads is the target: $out"
expect 2 base
ok "--once TARGET unchanged (heads too)"
