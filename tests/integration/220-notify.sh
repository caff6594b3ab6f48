#!/usr/bin/env bash
# sd_notify, seen by a python3 AF_UNIX datagram listener as NOTIFY_SOCKET:
# READY=1 once the socket is served; STATUS= lines; WATCHDOG=1 every half of
# WATCHDOG_USEC; RELOADING=1 on SIGHUP; STOPPING=1 on SIGTERM. With
# ready_when = current, READY=1 only once the database is current, and exit
# 65 with a STATUS= reason when only a person can get it there.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# start_raw NAME ARGS...: migrated in the background, notifying NAME's
# listener; the environment of the call (WATCHDOG_USEC, ...) is passed on.
start_raw() {
	local name=$1
	shift
	t_args "$@"
	NOTIFY_SOCKET=$T_TMP/$name.notify "$MIGRATED" -s "$(t_sock "$name")" \
		-v "${T_ARGS[@]}" >>"$T_TMP/$name.log" 2>&1 &
	T_PID[$name]=$!
}

# wait_exit NAME SECS: wait for the daemon to exit; its status in $rc.
wait_exit() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "${T_PID[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "${T_PID[$1]}" 2>/dev/null && fail "$1 still runs after $2 s"
	rc=0
	wait "${T_PID[$1]}" || rc=$?
	unset "T_PID[$1]"
}

db=$(t_newdb)
dir=$(t_migdir sample)

# --- ready_when = socket (default), watchdog, status, reload, stop ---
t_notify_listen a
WATCHDOG_USEC=2000000 start_raw a -d "$db" -m "$dir"
t_wait_for 10 t_notify_has a '^READY=1$'
# READY=1 means the socket is served: it answers right away.
t_expect 0 ctl a -q status
ok "READY=1, and the socket answers at once"

t_wait_for 20 t_notify_has a '^STATUS=leader, at 212c31d97f11$'
ok "STATUS=leader, at 212c31d97f11"

# WATCHDOG=1 keeps coming (30 s only catches pings that stop), at half of
# WATCHDOG_USEC. The period is a time by nature, but it is not counted in a
# wall-clock window, which one stall of a loaded machine empties: of five
# pings' four gaps (the listener's times), the shortest must be under
# 1.5 s, between the 1 s due and the 2 s of pinging once per WATCHDOG_USEC
# (timers never fire early). Load only stretches gaps, and all four at once
# only if the daemon is starved for seconds on end.
pings() { t_notify_msgs a | grep -c '^WATCHDOG=1$' || true; }
n0=$(pings)
t_wait_for 30 eval "(( \$(pings) >= $((n0 + 5)) ))"
gap=$(grep ' WATCHDOG=1$' "$T_TMP/a.msgs" | tail -n 5 |
	awk 'NR > 1 { g = $1 - p; if (m == "" || g < m) m = g } { p = $1 } END { printf "%.3f", m }')
awk -v g="$gap" 'BEGIN { exit !(g < 1.5) }' ||
	fail "the shortest of four gaps between WATCHDOG=1 is $gap s with WATCHDOG_USEC=2000000 (due: 1 s)"
[[ $(t_notify_msgs a | grep -c '^READY=1$') == 1 ]] || fail "READY=1 sent more than once"
ok "WATCHDOG=1 keeps coming at half of WATCHDOG_USEC (shortest gap $gap s); READY=1 once"

kill -HUP "${T_PID[a]}"
t_wait_for 10 t_notify_has a '^RELOADING=1$'
t_wait_for 10 eval '(( $(t_notify_msgs a | grep -c "^READY=1\$") == 2 ))'
t_notify_has a '^MONOTONIC_USEC=[0-9]+$' || fail "RELOADING=1 without MONOTONIC_USEC"
ok "SIGHUP: RELOADING=1, then READY=1"

kill -TERM "${T_PID[a]}"
wait_exit a 10
((rc == 0)) || fail "a exited $rc"
t_notify_has a '^STOPPING=1$' || fail "no STOPPING=1 on SIGTERM: $(t_notify_msgs a)"
ok "SIGTERM: STOPPING=1, exit 0"

# --- ready_when = current: READY=1 only once the database is current ---
db2=$(t_newdb)
dir2=$(t_migdir sample)
t_rev "$dir2" slow0001 212c31d97f11 \
	"CREATE TABLE slow_t (x int); SELECT pg_sleep(2);" \
	"DROP TABLE slow_t;" >/dev/null
conf=$T_TMP/current.conf
printf 'ready_when = current\n' >"$conf"
t_notify_listen b
start_raw b -c "$conf" -d "$db2" -m "$dir2"
t_wait_for 20 t_notify_has b '^STATUS=applying slow0001 \(4/4\)$'
t_notify_has b '^READY=1$' && fail "READY=1 while migrations run: $(t_notify_msgs b)"
t_notify_has b '^EXTEND_TIMEOUT_USEC=[0-9]+$' ||
	fail "no EXTEND_TIMEOUT_USEC while a step runs: $(t_notify_msgs b)"
# A SIGHUP during start-up must not make the service ready either.
kill -HUP "${T_PID[b]}"
sleep 0.5
t_notify_has b '^READY=1$' && fail "READY=1 after SIGHUP while migrations run"
t_wait_for 20 t_notify_has b '^READY=1$'
[[ $(t_sql "$db2" 'SELECT version_num FROM alembic_version') == slow0001 ]] ||
	fail "READY=1 but the database is not at the head"
# and in the order received: READY=1 after the last step was reported
ready_at=$(t_notify_msgs b | grep -n '^READY=1$' | head -1 | cut -d: -f1)
last_apply=$(t_notify_msgs b | grep -n '^STATUS=applying' | tail -1 | cut -d: -f1)
((ready_at > last_apply)) || fail "READY=1 before the last step: $(t_notify_msgs b)"
t_wait_for 10 t_notify_has b '^STATUS=leader, at slow0001$'
t_expect 0 ctl b -q status --check
ok "ready_when = current: READY=1 only once current (EXTEND_TIMEOUT_USEC)"
kill -TERM "${T_PID[b]}"
wait_exit b 10
((rc == 0)) || fail "b exited $rc"

# --- ready_when = current, auto-migrate off, behind: exit 65 ---
db3=$(t_newdb)
t_notify_listen c
DISABLE_AUTO_MIGRATIONS=true start_raw c -c "$conf" -d "$db3" -m "$dir"
wait_exit c 20
((rc == 65)) || fail "c exited $rc, expected 65"
# the daemon has exited, but its listener may not have written the last
# datagrams yet
t_wait_for 5 t_notify_has c '^STATUS=.*behind'
t_notify_has c '^READY=1$' && fail "READY=1 although behind"
[[ -z $(t_sql "$db3" 'SELECT version_num FROM alembic_version') ]] ||
	fail "auto-migrate off, yet something was applied"
ok "auto-migrate off and behind: exit 65, $(t_notify_msgs c | grep '^STATUS=.*behind' | tail -1)"

# --- ready_when = current, a failing revision: exit 65 ---
db4=$(t_newdb)
dir4=$(t_migdir sample)
t_rev "$dir4" bad00001 212c31d97f11 "SELECT 1/0;" "SELECT 1;" >/dev/null
t_notify_listen d
start_raw d -c "$conf" -d "$db4" -m "$dir4"
wait_exit d 30
((rc == 65)) || fail "d exited $rc, expected 65"
t_wait_for 5 t_notify_has d '^STATUS=needs a person'
t_notify_has d '^READY=1$' && fail "READY=1 although a step failed"
ok "a failed step: exit 65, $(t_notify_msgs d | grep '^STATUS=needs' | tail -1)"

for n in a b c d; do
	kill "${T_PID[$n-listener]}" 2>/dev/null || true
	wait "${T_PID[$n-listener]}" 2>/dev/null || true
	unset "T_PID[$n-listener]"
done
