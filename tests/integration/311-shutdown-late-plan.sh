#!/usr/bin/env bash
# A plan that starts after SIGTERM still gets the shutdown timer (issue 9,
# item 13): an upgrade still reading the version rows when the daemon is
# told to stop (another session holds the version table) starts its 60 s
# step later; shutdown_timeout (1 s) cancels it and the daemon exits 0
# long before the step would have ended.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" sl1 none "SELECT pg_sleep(60);" "SELECT 1;" >/dev/null
printf 'shutdown_timeout = 1s\n' >"$T_TMP/s.conf"
DISABLE_AUTO_MIGRATIONS=true t_start a "$db" "$dir" -c "$T_TMP/s.conf"
t_wait_for 15 t_state_is a behind
pid=$(t_pid a)

t_sql "$db" "BEGIN; LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE;
	SELECT pg_sleep(2); COMMIT;" >/dev/null &
holder=$!
t_wait_for 10 eval '[[ $(t_sql "$db" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '"'"'alembic_version'"'"' AND l.mode = '"'"'AccessExclusiveLock'"'"' AND l.granted") == 1 ]]'
ctl a -q upgrade head >/dev/null 2>&1 &
sleep 0.5
[[ $(t_field a .result.running) == null ]] || fail "the plan started too early for this test"
t0=$(date +%s)
kill -TERM "$pid"
rc=0
for ((i = 0; i < 300; i++)); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the daemon still runs 30 s after SIGTERM (the late plan had no shutdown timer)"
wait "$pid" || rc=$?
unset 'T_PID[a]'
secs=$(($(date +%s) - t0))
wait "$holder" || true
((rc == 0)) || fail "exit $rc"
grep -q 'shutdown_timeout passed' "$T_TMP/a.log" || fail "no cancel by the shutdown timer"
[[ -z $(t_sql "$db" "SELECT version_num FROM alembic_version") ]] || fail "sl1 was recorded"
ok "a plan that started after SIGTERM was cancelled by shutdown_timeout; exit 0 after ${secs} s"
