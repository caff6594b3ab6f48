#!/usr/bin/env bash
# migrated --once: the engine without a socket, for CI and ExecStartPre=.
# Applies heads and prints what it did; a second run is a no-op; a target
# stops there; a failing revision exits 1; a lock held by another daemon
# makes --lock-wait run out with 75 (temporary).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# once URL DIR [ARGS...]: run migrated --once; stdout in $out, stderr in
# $err, exit status in $rc, wall time in ms in $ms. The socket path given
# must never be created. timeout(1) ends a run that hangs (exit 124) after
# $limit seconds (default 120).
once() {
	local url=$1 dir=$2 t0
	shift 2
	rc=0
	t_args "$@"
	t0=$(date +%s%N)
	timeout "${limit:-120}" "$MIGRATED" --once -d "$url" -m "$dir" -s "$T_TMP/once.sock" "${T_ARGS[@]}" \
		>"$T_TMP/once.out" 2>"$T_TMP/once.err" || rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	out=$(cat "$T_TMP/once.out")
	err=$(cat "$T_TMP/once.err")
	[[ ! -e $T_TMP/once.sock ]] || fail "--once created a socket"
}

rows() {
	t_sql "$1" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}

hist() {
	t_sql "$1" "SELECT coalesce(string_agg(revision || ':' || operation || ':' || outcome, ',' ORDER BY id), '') FROM migrated_history"
}

dir=$(t_migdir sample)

# --- fresh database: to heads ----------------------------------------------
db=$(t_newdb)
once "$db" "$dir"
((rc == 0)) || fail "--once exited $rc: $err"
for r in 2e0140e533a8 d382069dacef 212c31d97f11; do
	grep -q "upgrade $r" <<<"$out" || fail "--once did not print $r: $out"
done
# in plan order
[[ $(grep -o 'upgrade [0-9a-f]*' <<<"$out" | tr '\n' ' ') == "upgrade 2e0140e533a8 upgrade d382069dacef upgrade 212c31d97f11 " ]] ||
	fail "--once printed the steps out of order: $out"
grep -q '212c31d97f11' <<<"$(tail -n 1 <<<"$out")" || fail "last line: $out"
[[ $(rows "$db") == 212c31d97f11 ]] || fail "version rows: $(rows "$db")"
[[ $(hist "$db") == 2e0140e533a8:upgrade:ok,d382069dacef:upgrade:ok,212c31d97f11:upgrade:ok ]] ||
	fail "history: $(hist "$db")"
[[ $(t_sql "$db" "SELECT count(*) FROM system_config") == 10 ]] || fail "no seed rows"
ok "--once applies heads, prints each step, exit 0"

once "$db" "$dir"
((rc == 0)) || fail "second --once exited $rc: $err"
grep -q 'upgrade ' <<<"$out" && fail "second --once applied something: $out"
grep -q '212c31d97f11' <<<"$out" || fail "second --once did not say where it is: $out"
[[ $(hist "$db") == 2e0140e533a8:upgrade:ok,d382069dacef:upgrade:ok,212c31d97f11:upgrade:ok ]] ||
	fail "second --once wrote history: $(hist "$db")"
ok "second --once is a no-op, exit 0"

# --- a target -----------------------------------------------------------------
db2=$(t_newdb)
once "$db2" "$dir" d382069dacef
((rc == 0)) || fail "--once d382069dacef exited $rc: $err"
grep -q 'upgrade 212c31d97f11' <<<"$out" && fail "went past the target: $out"
[[ $(rows "$db2") == d382069dacef ]] || fail "version rows: $(rows "$db2")"
[[ $(hist "$db2") == 2e0140e533a8:upgrade:ok,d382069dacef:upgrade:ok ]] ||
	fail "history: $(hist "$db2")"
[[ $(t_sql "$db2" "SELECT count(*) FROM system_config") == 0 ]] ||
	fail "seed rows applied past the target"
# a prefix target goes on from there
once "$db2" "$dir" 212c
((rc == 0)) || fail "--once 212c exited $rc: $err"
[[ $(rows "$db2") == 212c31d97f11 ]] || fail "version rows: $(rows "$db2")"
once "$db2" "$dir" nosuchrevision
((rc == 2)) || fail "--once nosuchrevision exited $rc, expected 2: $err"
[[ $(rows "$db2") == 212c31d97f11 ]] || fail "unknown target changed rows"
ok "--once TARGET stops there; an unknown target exits 2"

# --- a failing revision ------------------------------------------------------
fdir=$(t_migdir sample)
f=$(t_rev "$fdir" bad00000001 212c31d97f11 'CREATE TABLE once_ok (id int);
SELECT * FROM no_such_table_here;' 'DROP TABLE once_ok;')
db3=$(t_newdb)
once "$db3" "$fdir"
((rc == 1)) || fail "--once with a failing revision exited $rc, expected 1: $out $err"
grep -q 'no_such_table_here' <<<"$err" || fail "error does not say what failed: $err"
grep -q "$(basename "$f"):" <<<"$err" || fail "error does not name the file: $err"
# per revision: the three good ones stay, the bad one left nothing
[[ $(rows "$db3") == 212c31d97f11 ]] || fail "version rows: $(rows "$db3")"
[[ $(t_sql "$db3" "SELECT to_regclass('once_ok') IS NULL") == t ]] ||
	fail "the failed revision's table remains"
[[ $(t_sql "$db3" "SELECT outcome FROM migrated_history WHERE revision = 'bad00000001'") == failed ]] ||
	fail "no failed history row: $(hist "$db3")"
ok "a failing revision: exit 1, named, rolled back"

# --- the lock is held by a daemon --------------------------------------------
db4=$(t_newdb)
t_start a "$db4" "$dir"
t_wait_for 10 t_state_is a current
[[ $(t_field a .result.role) == leader ]] || fail "daemon a is not leader"
# limit 30 is below the default --lock-wait (60 s): a run that ignored
# --lock-wait 1s would end as 124, not 75
limit=30 once "$db4" "$dir" --lock-wait 1s
((rc == 75)) || fail "--once --lock-wait 1s with the lock held exited $rc, expected 75: $err"
# it waited (a lower bound: load only lengthens it), and gave up by itself
((ms >= 900)) || fail "--lock-wait 1s gave up after $ms ms"
grep -qi 'lock' <<<"$err" || fail "no word about the lock: $err"
kill -0 "$(t_pid a)" || fail "daemon a died"
[[ $(t_field a .result.role) == leader ]] || fail "daemon a lost the lock"
ok "--lock-wait 1s against a leader: exit 75 after ${ms} ms"

# and once the leader is gone, --once gets the lock
t_stop a
once "$db4" "$dir" --lock-wait 5s
((rc == 0)) || fail "--once after the leader stopped exited $rc: $err"
ok "--once takes the lock once it is free"
