#!/usr/bin/env bash
# A PostgreSQL outage under a running daemon: status keeps answering
# (connected false, the libpq error), changes exit 75, a reload during the
# outage is accepted; when the server is back the same daemon process
# reconnects, retakes the lock and auto-migrates what was added meanwhile.
# Then a quick crash-restart (pg_restart immediate) is survived the same way.
#
# This stops and starts the shared test cluster of run-integration (tests run
# one at a time; a private initdb costs too much time). The EXIT trap starts
# the server again, whatever happens, before daemon.sh's clean-up.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
source "$TOP_SRCDIR/tests/lib/pg.sh"
: "${PG_DATADIR:?run this from tests/run-integration (the shared cluster)}"
if [[ $(id -u) == 0 ]]; then
	PG_OS_USER=${PG_OS_USER:-migtest}
fi

t_restore_pg() {
	if ! _pg_ctl status >/dev/null 2>&1; then
		echo "# starting the shared server again" >&2
		pg_start_server || echo "# COULD NOT RESTART THE SHARED SERVER" >&2
	fi
}
t_exit() {
	local rc=$?
	set +e
	t_restore_pg
	if ((rc == 0)); then t_cleanup; else (exit "$rc") || t_cleanup; fi
}
trap t_exit EXIT
trap 'exit 143' TERM	# run-integration's timeout: still restore the server
trap 'exit 130' INT

connected_is() {
	[[ $(t_field a .result.connected) == "$1" ]]
}

role_is() {
	[[ $(t_field a .result.role) == "$1" ]]
}

table_exists() {
	[[ $(t_sql "$db" "SELECT to_regclass('$1') IS NOT NULL" 2>/dev/null) == t ]]
}

db=$(t_newdb)
dir=$(t_migdir sample)
conf=$T_TMP/migrated.conf
# reconnect at least once a second: the cap is shown in the log (the waits
# the read session announces reach 1000 ms and never pass it; the default
# 30 s cap would go 800, 1600, ...), not by timing the reconnection
echo 'reconnect_max_interval = 1s' >"$conf"
t_start a "$db" "$dir" -c "$conf"
t_wait_for 10 t_state_is a current
role_is leader || fail "not leader at start"
pid=$(t_pid a)

# ---- the server goes away ------------------------------------------------------
pg_stop_server immediate
t_wait_for 5 connected_is false
st=$(t_json a status) || fail "status during the outage failed"
[[ $(jq -r .result.connected <<<"$st") == false ]] || fail "connected: $st"
err=$(jq -r '.result.error // ""' <<<"$st")
[[ -n $err ]] || fail "status during the outage carries no error: $st"
grep -qiE 'connect|server|socket|terminat|closed' <<<"$err" || fail "not a libpq error: $err"
[[ $(jq -r .result.role <<<"$st") == standby ]] || fail "still leader without a connection: $st"
t_expect 75 ctl a status --check
rc=0
out=$(ctl a --json upgrade 2>/dev/null) || rc=$?
((rc == 75)) || fail "upgrade during the outage exited $rc, expected 75: $out"
code=$(jq -r .error.code <<<"$(tail -n 1 <<<"$out")")
# the database is down (status says so): db_unavailable, not "ask the
# leader" (not_leader), though both exit 75
[[ $code == db_unavailable ]] || fail "upgrade error code: $out"
t_expect 75 ctl a downgrade -1
t_expect 75 ctl a stamp base
ok "outage: status answers connected false with \"$err\"; changes exit 75 ($code)"

# a new file, reloaded during the outage
t_rev "$dir" pr0000000001 212c31d97f11 'CREATE TABLE during_outage (id int);' 'DROP TABLE during_outage;' >/dev/null
out=$(t_json a reload) || fail "reload during the outage failed: $out"
[[ $(jq -c .result.added <<<"$out") == '["pr0000000001"]' ]] || fail "reload: $out"
[[ $(t_field a .result.revisions) == 4 ]] || fail "revisions after reload"
kill -0 "$pid" || fail "the daemon died during the outage"
ok "reload during the outage accepted"

# the backoff grows to the cap during the outage, and stays there
t_wait_for 60 grep -q 'cannot connect to the database: .*retrying in 1000 ms' "$T_TMP/a.log"
waits=$(grep -o 'retrying in [0-9]* ms' "$T_TMP/a.log" | grep -o '[0-9]*' | sort -un | tr '\n' ' ')
[[ $waits == "100 200 400 800 1000 " ]] || fail "read-session retry waits: $waits"
ok "reconnect backoff capped at reconnect_max_interval: ${waits% } ms"

# ---- the server comes back -----------------------------------------------------
pg_start_server
# (60 s only catches a daemon that never reconnects)
t_wait_for 60 connected_is true
t_wait_for 5 role_is leader
t_wait_for 10 table_exists during_outage
t_wait_for 5 t_state_is a current
[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == pr0000000001 ]] ||
	fail "version rows after the outage"
[[ $(t_sql "$db" "SELECT outcome || ':' || requested_by FROM migrated_history WHERE revision = 'pr0000000001'") == ok:auto ]] ||
	fail "history of the auto-migration"
[[ $(t_pid a) == "$pid" ]] && kill -0 "$pid" || fail "the daemon process changed"
[[ $(t_json a status | jq -r .result.leader.application_name) == *":$pid" ]] ||
	fail "the lock holder is not this daemon: $(t_json a status | jq -c .result.leader)"
ok "server back: reconnected, leader again, auto-migrated pr0000000001"

# ---- a crash restart while idle ----------------------------------------------------
pg_restart immediate
t_wait_for 10 connected_is true
t_wait_for 5 role_is leader
t_wait_for 5 t_state_is a current
ctl a downgrade -1 >/dev/null || fail "downgrade after the restart"
table_exists during_outage && fail "downgrade after the restart did not run"
ctl a upgrade >/dev/null || fail "upgrade after the restart"
table_exists during_outage || fail "upgrade after the restart did not run"
[[ $(t_json a status | jq -r .result.leader.application_name) == *":$pid" ]] ||
	fail "the lock holder is not this daemon after the restart"
kill -0 "$pid" || fail "the daemon died"
[[ $(t_pid a) == "$pid" ]] || fail "the daemon process changed"
t_stop a
ok "pg_restart immediate: same daemon, leader, changes work"
