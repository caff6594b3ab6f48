#!/usr/bin/env bash
# Signals (SPEC §4): SIGTERM lets a running migration finish, then releases
# the lock (a standby takes over) and exits 0; past shutdown_timeout the
# step is cancelled and rolled back; a second SIGTERM cancels at once;
# SIGHUP with a broken directory keeps the old set, with a good one loads
# (and auto-migrates) the new revisions.
# What ended a step is shown by the database, the log and the exit status,
# not by how long it took: the cancelled steps sleep an hour, beyond every
# limit here, which only catch a daemon that never exits.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# running_is NAME REV: NAME's running step is REV.
running_is() {
	[[ $(t_field "$1" .result.running.revision) == "$2" ]]
}

# exit_within NAME SECS: wait for NAME to exit; status in $rc, time in $ms.
exit_within() {
	local i t0
	t0=$(date +%s%N)
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$(t_pid "$1")" 2>/dev/null || break
		sleep 0.05
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	kill -0 "$(t_pid "$1")" 2>/dev/null && fail "$1 still runs after $2 s"
	rc=0
	wait "$(t_pid "$1")" || rc=$?
	unset "T_PID[$1]"
}

version() {
	t_sql "$1" 'SELECT version_num FROM alembic_version'
}

outcome() {
	t_sql "$1" "SELECT outcome FROM migrated_history WHERE revision = '$2'"
}

table_gone() {
	[[ $(t_sql "$1" "SELECT to_regclass('$2') IS NULL") == t ]]
}

advisory_locks() {
	t_sql "$1" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND database = (SELECT oid FROM pg_database
		WHERE datname = current_database())"
}

# --- SIGTERM during pg_sleep(3): the step finishes, exit 0, standby leads ---
db=$(t_newdb)
dir=$(t_migdir sample)
t_rev "$dir" slow0002 212c31d97f11 \
	"CREATE TABLE slow2 (x int); SELECT pg_sleep(3);" "DROP TABLE slow2;" \
	>/dev/null
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 eval '[[ $(t_field a .result.role) == leader ]]'
t_start b "$db" "$dir" --no-auto-migrate
t_wait_for 10 eval '[[ $(t_field b .result.role) == standby ]]'
ctl a upgrade >"$T_TMP/upgrade-a.out" 2>&1 &
up=$!
t_wait_for 20 running_is a slow0002
kill -TERM "$(t_pid a)"
sleep 0.3
rc=0
ctl a -q status >/dev/null 2>&1 || rc=$?
((rc == 69)) || fail "status while stopping exited $rc, expected 69"
exit_within a 60
((rc == 0)) || fail "a exited $rc after SIGTERM"
wait "$up" || true
# it waited for the step: the step committed (only a's session could)
[[ $(version "$db") == slow0002 ]] ||
	fail "the running step did not finish: at $(version "$db")"
[[ $(outcome "$db" slow0002) == ok ]] ||
	fail "history of slow0002: $(outcome "$db" slow0002)"
grep -q 'letting the running step finish' "$T_TMP/a.log" ||
	fail "a's log does not say it lets the step finish"
ok "SIGTERM during a slow step: the step finished, exit 0"
t_wait_for 5 eval '[[ $(t_field b .result.role) == leader ]]'
[[ $(advisory_locks "$db") == 1 ]] ||
	fail "$(advisory_locks "$db") advisory locks"
t_expect 0 ctl b -q status --check
ok "lock released: the standby took over"
t_stop b

# --- shutdown_timeout = 1s with pg_sleep(3600): cancelled, rolled back ---
db=$(t_newdb)
dir=$(t_migdir sample)
t_rev "$dir" slow0020 212c31d97f11 \
	"CREATE TABLE slow20 (x int); SELECT pg_sleep(3600);" \
	"DROP TABLE slow20;" >/dev/null
conf=$T_TMP/short.conf
printf 'shutdown_timeout = 1s\n' >"$conf"
t_start c "$db" "$dir" -c "$conf"
t_wait_for 20 running_is c slow0020
kill -TERM "$(t_pid c)"
exit_within c 60
((rc == 0)) || fail "c exited $rc"
# a lower bound (load only lengthens it): not before shutdown_timeout
((ms >= 900)) || fail "c stopped after $ms ms, before shutdown_timeout"
[[ $(version "$db") == 212c31d97f11 ]] ||
	fail "version after the cancel: $(version "$db")"
table_gone "$db" slow20 ||
	fail "slow20 exists: the cancelled step was not rolled back"
[[ $(outcome "$db" slow0020) == failed ]] ||
	fail "history of slow0020: $(outcome "$db" slow0020)"
[[ $(advisory_locks "$db") == 0 ]] || fail "the lock is still held"
[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity
	WHERE query LIKE '%pg_sleep(3600)%' AND pid <> pg_backend_pid()") == 0 ]] ||
	fail "pg_sleep(3600) still runs"
grep -q 'shutdown_timeout passed' "$T_TMP/c.log" ||
	fail "c's log does not say why"
ok "shutdown_timeout = 1s: cancelled, rolled back, exit 0"

# --- a second SIGTERM cancels at once ---
# shutdown_timeout 1h: only the second signal can end the step before the
# hour is out
printf 'shutdown_timeout = 1h\n' >"$T_TMP/long.conf"
t_start d "$db" "$dir" -c "$T_TMP/long.conf"
t_wait_for 20 running_is d slow0020
kill -TERM "$(t_pid d)"
sleep 0.5
kill -0 "$(t_pid d)" || fail "d exited on the first SIGTERM"
kill -TERM "$(t_pid d)"
exit_within d 60
((rc == 0)) || fail "d exited $rc after a second SIGTERM"
grep -q 'second stop signal: cancelling' "$T_TMP/d.log" ||
	fail "d's log does not say the second signal cancelled"
grep -q 'shutdown_timeout passed' "$T_TMP/d.log" &&
	fail "d waited for shutdown_timeout"
table_gone "$db" slow20 || fail "slow20 exists after the second SIGTERM"
[[ $(version "$db") == 212c31d97f11 ]] ||
	fail "version after the second SIGTERM: $(version "$db")"
t_wait_for 5 eval '[[ $(advisory_locks "$db") == 0 ]]'
ok "a second SIGTERM: cancelled, exit 0"

# --- SIGHUP: a broken directory keeps the old set; a good one loads ---
db=$(t_newdb)
dir=$(t_migdir sample)
t_start e "$db" "$dir"
t_wait_for 20 t_state_is e current
cat >"$dir/bad0001_broken.sql" <<-'EOF'
	-- revision: bad0001
	-- down_revision: nosuchparent
	-- +upgrade
	SELECT 1;
EOF
kill -HUP "$(t_pid e)"
t_wait_for 10 grep -q 'reload rejected, keeping the old migrations' \
	"$T_TMP/e.log"
grep -q 'bad0001_broken.sql:[0-9]*:' "$T_TMP/e.log" ||
	fail "the error does not name the file and line"
kill -0 "$(t_pid e)" || fail "e died on SIGHUP with a broken directory"
[[ $(t_field e .result.revisions) == 3 ]] ||
	fail "revisions after a rejected reload: $(t_field e .result.revisions)"
[[ $(t_field e '.result.heads | join(",")') == 212c31d97f11 ]] ||
	fail "heads after a rejected reload"
t_expect 0 ctl e -q status --check
ok "SIGHUP with a broken file: rejected, old set kept, daemon alive"

rm "$dir/bad0001_broken.sql"
t_rev "$dir" new00001 212c31d97f11 "CREATE TABLE new1 (x int);" \
	"DROP TABLE new1;" >/dev/null
kill -HUP "$(t_pid e)"
t_wait_for 10 eval '[[ $(t_field e .result.revisions) == 4 ]]'
t_wait_for 10 t_state_is e current
[[ $(ctl e current) == "new00001 (head)" ]] || fail "current: $(ctl e current)"
ok "SIGHUP with a new revision: loaded and auto-migrated"
t_stop e
