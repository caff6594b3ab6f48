#!/usr/bin/env bash
# A running history row belongs to a live daemon by its instance id, never
# by host and pid (issue 9, defect 3; SPEC §3). A daemon killed during a
# non-transactional step and restarted in place -- a new pid namespace,
# the same host name, pid 1 both times, as a container restart does --
# reports the database dirty and its auto-migrate re-runs nothing.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

if ! unshare --pid --fork --mount-proc true 2>/dev/null; then
	t_skip "cannot create a pid namespace here (unshare --pid)"
fi
# the daemon as pid 1 of a new pid namespace; T_PID holds unshare's pid
# (--kill-child: t_cleanup's SIGKILL of it takes the daemon along)
wrap="$T_TMP/migrated-pidns"
printf '#!/bin/sh\nexec unshare --pid --fork --mount-proc --kill-child %q "$@"\n' \
	"$MIGRATED" >"$wrap"
chmod +x "$wrap"
inner() { # host pid of the daemon inside NAME's namespace
	local u=${T_PID[$1]}
	read -r c _ <"/proc/$u/task/$u/children"
	echo "$c"
}
hello() {
	t_raw "$(t_sock "$1")" '{"id":1,"op":"hello"}' | jq -r ".result.$2"
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" ns000001 none 'CREATE TABLE ns_log (n int);' 'DROP TABLE ns_log;' >/dev/null
t_rev "$dir" ns000002 ns000001 'INSERT INTO ns_log VALUES (2);
SELECT pg_sleep(60);' 'DELETE FROM ns_log WHERE n = 2;' 'transactional: false' >/dev/null

has_running_row() {
	[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'ns000002' AND outcome = 'running'") == 1 ]]
}
logged() {
	[[ $(t_sql "$db" "SELECT count(*) FROM ns_log") == 1 ]]
}
no_sessions() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'migrated@%'") == 0 ]]
}

# ---- run 1: auto-migrate starts ns000002; the daemon dies in it ------------
MIGRATED=$wrap t_start a "$db" "$dir"
[[ $(hello a pid) == 1 ]] || fail "run 1: the daemon is not pid 1 in its namespace: $(hello a pid)"
t_wait_for 15 has_running_row
t_wait_for 15 logged
[[ $(t_sql "$db" "SELECT pid FROM migrated_history WHERE outcome = 'running'") == 1 ]] ||
	fail "the running row's pid is not 1"
kill -KILL "$(inner a)"
wait "${T_PID[a]}" 2>/dev/null || true
unset 'T_PID[a]'
# the server notices the dead client; end its sessions now rather than later
t_sql "$db" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'migrated@%'" >/dev/null
t_wait_for 10 no_sessions
ok "run 1: pid 1, killed during the non-transactional step"

# ---- run 2: same host, pid 1 again, auto-migrate on ------------------------
MIGRATED=$wrap t_start b "$db" "$dir"
[[ $(hello b pid) == 1 ]] || fail "run 2: the daemon is not pid 1"
t_wait_for 10 t_state_is b dirty
[[ $(t_field b .result.role) == leader ]] || fail "b is not leader"
sleep 1 # auto-migrate had its chance
st=$(t_json b status --fresh)
[[ $(jq -r .result.state <<<"$st") == dirty ]] || fail "state: $st"
[[ $(jq -r .result.dirty.revision <<<"$st") == ns000002 ]] || fail "dirty: $st"
[[ $(jq -r .result.running <<<"$st") == null ]] || fail "running: $st"
[[ $(t_sql "$db" "SELECT count(*) FROM ns_log") == 1 ]] || fail "ns000002 ran again"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'ns000002'") == 1 ]] ||
	fail "ns000002 history: $(t_sql "$db" "SELECT outcome FROM migrated_history WHERE revision = 'ns000002'")"
t_expect 1 ctl b -q upgrade head 2>/dev/null
ok "run 2: pid 1 again: dirty, nothing re-run, upgrade refused"

inst1=$(t_sql "$db" "SELECT instance FROM migrated_history WHERE outcome = 'running'")
inst2=$(hello b instance)
[[ ${#inst1} == 16 && ${#inst2} == 16 && $inst1 != "$inst2" ]] ||
	fail "instance ids: run 1 $inst1, run 2 $inst2"
[[ $(t_field b .result.leader.instance) == "$inst2" ]] ||
	fail "status leader: $(t_json b status | jq -c .result.leader)"
ok "the running row carries run 1's instance $inst1; run 2 is $inst2"

kill -TERM "$(inner b)"
rc=0
wait "${T_PID[b]}" || rc=$?
unset 'T_PID[b]'
((rc == 0)) || fail "b exited $rc"
ok "stopped"
