#!/usr/bin/env bash
# Losing the lock fails what needs it, not the reads (issue 9, item 13): a
# `wait` on a leader whose lock session is terminated goes on (on the read
# session) and answers once the database reaches the target.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" w1 none "CREATE TABLE w_1 (id int);" "DROP TABLE w_1;" >/dev/null
DISABLE_AUTO_MIGRATIONS=true t_start a "$db" "$dir"
t_wait_for 15 t_state_is a behind
[[ $(t_field a .result.role) == leader ]] || fail "a is not leader"
pid=$(t_field a .result.leader.pid)

rc=0
ctl a -q wait head --timeout 30 >"$T_TMP/wait.out" 2>&1 &
waiter=$!
sleep 0.5
t_sql_su "$db" "SELECT pg_terminate_backend($pid)" >/dev/null
t_wait_for 15 grep -q 'lock session lost' "$T_TMP/a.log"
t_wait_for 15 eval '[[ $(t_field a .result.role) == leader ]]'
kill -0 $waiter 2>/dev/null || { wait $waiter || rc=$?; fail "wait ended with $rc when the lock went: $(cat "$T_TMP/wait.out")"; }
t_expect 0 ctl a -q upgrade head
wait $waiter || rc=$?
((rc == 0)) || fail "wait exited $rc: $(cat "$T_TMP/wait.out")"
t_stop a
ok "a wait survives the loss of the lock and answers when the target is reached"
