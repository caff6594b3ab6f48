#!/usr/bin/env bash
# `wait` and `check`: wait --timeout on a behind database exits 75 (timeout);
# waits in the background (on the leader and on a standby, for heads and for
# a given target) return 0 once another shell upgrades; wait on a dirty
# database fails at once with exit 4; check exits 0 / 3 / 4.
# No bound on how fast anything answers (bench/ measures speed): each wait's
# exit code and the order of events say what happened.
# shellcheck disable=SC2154 # background pids are set through printf -v
source "$TOP_SRCDIR/tests/lib/daemon.sh"

running() { kill -0 "$1" 2>/dev/null; }
# bgwait VAR NAME ARGS...: start `migratectl wait ARGS` on NAME in the
# background; its pid goes to VAR, its exit status to $T_TMP/VAR.rc. Its
# --timeout 120 only ends a wait that is never released (exit 75, not 0).
bgwait() {
	local var=$1 name=$2
	shift 2
	{
		rc=0
		ctl "$name" wait --timeout 120 "$@" >/dev/null 2>&1 || rc=$?
		echo "$rc" >"$T_TMP/$var.rc"
	} &
	printf -v "$var" %s $!
}
# reap VAR: wait for the background wait VAR; sets rc.
reap() {
	wait "${!1}" || true
	read -r rc <"$T_TMP/$1.rc"
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none 'CREATE TABLE w1 (id int);' 'DROP TABLE w1;' >/dev/null
t_rev "$dir" bbbb0002 aaaa0001 'CREATE TABLE w2 (id int);' 'DROP TABLE w2;' >/dev/null
# No periodic re-read within the test (refresh_interval 1 h): a wait that
# returns was released by the change itself (the leader's own step, or its
# NOTIFY on a standby), not by a timer.
conf=$T_TMP/wait.conf
echo 'refresh_interval = 1h' >"$conf"
t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind

# ---- check on a behind database ---------------------------------------------
t_expect 3 ctl a check >/dev/null
t_expect 3 ctl a check heads >/dev/null
t_expect 3 ctl a check aaaa0001 >/dev/null
t_expect 3 ctl a status --check >/dev/null
out=$(t_json a check) || true
[[ $(jq -c '[.result.state, [.result.pending[].revision]]' <<<"$out") == '["behind",["aaaa0001","bbbb0002"]]' ]] ||
	fail "check result: $out"
ok "check on a behind database exits 3"

# ---- wait --timeout ---------------------------------------------------------
# The daemon reports the timeout itself (75, code timeout); a wait that
# ignored --timeout would run until timeout(1) ends it (124). The lower
# bound shows it waited rather than failing at once: load only lengthens it.
t0=$(date +%s%3N)
rc=0
out=$(timeout 60 "$MIGRATECTL" -s "$(t_sock a)" --json wait --timeout 1) || rc=$?
el=$(($(date +%s%3N) - t0))
((rc == 75)) || fail "wait --timeout 1 exited $rc: $out"
[[ $(jq -r .error.code <<<"$out") == timeout ]] || fail "wait --timeout 1: $out"
((el >= 900)) || fail "wait --timeout 1 gave up after ${el} ms"
[[ $(t_sql "$db" "SELECT count(*) FROM alembic_version") == 0 ]] ||
	fail "wait changed the database"
ok "wait --timeout 1 on a behind database: exit 75 (timeout) after ~1 s"

# ---- background waits released by an upgrade elsewhere ---------------------
t_start b "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is b behind
[[ $(t_field b .result.role) == standby ]] || fail "b is not standby"
bgwait w_lead a
bgwait w_standby b
bgwait w_target a aaaa0001
sleep 1
for v in w_lead w_standby w_target; do
	running "${!v}" || fail "$v returned early: $(cat "$T_TMP/$v.rc")"
done
t_expect 0 ctl a -q upgrade aaaa0001
reap w_target
((rc == 0)) || fail "wait aaaa0001 exited $rc"
sleep 0.3
running "$w_lead" || fail "wait (heads) returned at aaaa0001: $(cat "$T_TMP/w_lead.rc")"
running "$w_standby" || fail "standby wait returned at aaaa0001"
ok "wait TARGET returns 0 once the target is reached; heads waits go on"

t_expect 0 "$MIGRATECTL" -s "$(t_sock a)" -q upgrade head
for v in w_lead w_standby; do
	reap "$v"
	((rc == 0)) || fail "$v exited $rc"
done
ok "background waits on the leader and the standby return 0 after upgrade head"

t_expect 0 ctl a check >/dev/null
t_expect 0 ctl a status --check >/dev/null
t_expect 0 ctl b check >/dev/null
t_expect 0 timeout 10 "$MIGRATECTL" -s "$(t_sock a)" wait --timeout 5 >/dev/null
t_expect 0 timeout 10 "$MIGRATECTL" -s "$(t_sock b)" wait >/dev/null
ok "check 0 and wait returns at once on a current database"

# ---- dirty: wait fails at once, check 4 -------------------------------------
t_rev "$dir" cccc0003 bbbb0002 "CREATE TABLE w3 (id int);
SELECT nosuchcol FROM w3;" 'DROP TABLE w3;' 'transactional: false' >/dev/null
t_expect 0 ctl a -q reload
t_expect 0 ctl b -q reload
t_expect 1 ctl a -q upgrade head 2>/dev/null
t_wait_for 5 t_state_is a dirty
t_wait_for 5 t_state_is b dirty
# "At once": not after waiting. A wait that waited would never end here
# (nothing changes the database any more): timeout(1) would end it, 124;
# "wait --timeout 200" would be ended by timeout(1) as well, not by its own
# timeout (75). Only the daemon's own dirty verdict is exit 4.
for n in a b; do
	for args in "wait" "wait --timeout 200" "wait cccc0003"; do
		rc=0
		# shellcheck disable=SC2086
		out=$(timeout 60 "$MIGRATECTL" -s "$(t_sock $n)" --json $args) || rc=$?
		((rc == 4)) || fail "$n: $args on a dirty database exited $rc: $out"
		[[ $(jq -r .error.code <<<"$out") == dirty ]] || fail "$n: $args: $out"
	done
done
ok "wait on a dirty database fails at once with exit 4 (leader and standby)"

t_expect 4 ctl a check >/dev/null
t_expect 4 ctl b check >/dev/null
t_expect 4 ctl a status --check >/dev/null
t_stop b
t_stop a
ok "check on a dirty database exits 4"
