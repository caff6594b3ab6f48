#!/usr/bin/env bash
# lock_timeout and lock_retries: a revision whose ALTER waits for a table
# another session holds locked fails with 55P03 after lock_retries retries,
# leaving nothing behind; when the blocker lets go in time, a retry succeeds.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" lt0000000001 none 'CREATE TABLE lt (id int);
CREATE TABLE lt_log (n int);
INSERT INTO lt VALUES (1), (2);' 'DROP TABLE lt; DROP TABLE lt_log;' >/dev/null
f2=$(t_rev "$dir" lt0000000002 lt0000000001 'INSERT INTO lt_log VALUES (42);
ALTER TABLE lt ADD COLUMN extra int;' 'ALTER TABLE lt DROP COLUMN extra; DELETE FROM lt_log;' \
	'lock_timeout: 200ms')
alter_line=$(grep -n '^ALTER TABLE lt ADD' "$f2" | cut -d: -f1)
conf=$T_TMP/migrated.conf
printf 'lock_retries = 2\nlock_timeout = 30s\n' >"$conf"

t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind
ctl a upgrade lt0000000001 >/dev/null || fail "upgrade to lt0000000001"
log=$T_TMP/a.log

# state: version rows | has the column | lt_log rows | lt rows
snapshot() {
	t_sql "$db" "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), (SELECT count(*) FROM pg_attribute WHERE attrelid = 'lt'::regclass AND attname = 'extra' AND NOT attisdropped), (SELECT count(*) FROM lt_log), (SELECT count(*) FROM lt)"
}

blocker_holds() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.relation = 'lt'::regclass AND l.mode = 'AccessExclusiveLock' AND l.granted AND a.application_name = 'blocker'") == 1 ]]
}

# block SECS: hold lt locked in the background for SECS seconds
block() {
	PGAPPNAME=blocker psql -X -q -d "$db" -c "BEGIN; LOCK TABLE lt IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep($1); COMMIT;" \
		>/dev/null 2>&1 &
	blocker=$!
	t_wait_for 10 blocker_holds
}

unblock() {
	t_sql "$db" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'blocker'" >/dev/null
	wait "$blocker" 2>/dev/null || true
}

[[ $(snapshot) == 'lt0000000001|0|0|2' ]] || fail "setup: $(snapshot)"

# ---- the blocker outlasts every retry -----------------------------------------
block 60
n0=$(grep -c 'lock timeout (attempt' "$log" || true)
# timeout 60: with the config's lock_timeout (30 s) instead of the header's
# 200 ms, three attempts would outlast it (124, not 1)
t0=$(date +%s%N)
rc=0
out=$(timeout 60 "$MIGRATECTL" -s "$(t_sock a)" --json upgrade 2>/dev/null) || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
((rc == 1)) || fail "upgrade against a held lock exited $rc, expected 1: $out"
fin=$(tail -n 1 <<<"$out")
[[ $(jq -r .error.code <<<"$fin") == migration_failed ]] || fail "error: $fin"
[[ $(jq -r .error.sqlstate <<<"$fin") == 55P03 ]] || fail "sqlstate: $fin"
[[ $(jq -r .error.file <<<"$fin") == "$f2" && $(jq -r .error.line <<<"$fin") == "$alter_line" ]] ||
	fail "the error does not name $f2:$alter_line: $fin"
jq -r 'select(.event == "step_failed") | .sqlstate' <<<"$out" | grep -qx 55P03 || fail "no step_failed 55P03 event: $out"
# three attempts of 200 ms and two backoffs (200 ms, 400 ms): a lower
# bound (load only lengthens it); the retries are counted in the log below
((ms >= 1100)) || fail "gave up after $ms ms: no retries with backoff"
new=$(tail -n +1 "$log" | grep 'lock timeout (attempt' | tail -n +$((n0 + 1)))
[[ $(grep -c . <<<"$new") == 2 ]] || fail "expected 2 retries in the log: $new"
grep -q 'attempt 1 of 3), retrying in 200 ms' <<<"$new" &&
	grep -q 'attempt 2 of 3), retrying in 400 ms' <<<"$new" || fail "retry lines (backoff 200, 400 ms): $new"
grep -q 'lt0000000002' <<<"$new" || fail "retry lines do not name the revision: $new"
blocker_holds || fail "the blocker was disturbed"
unblock
[[ $(snapshot) == 'lt0000000001|0|0|2' ]] || fail "the database changed (rows|column|log rows|rows): $(snapshot)"
[[ $(t_sql "$db" "SELECT outcome || ':' || (error LIKE '%lock timeout%') FROM migrated_history WHERE revision = 'lt0000000002' ORDER BY id DESC LIMIT 1") == failed:true ]] ||
	fail "history: $(t_sql "$db" "SELECT outcome, error FROM migrated_history WHERE revision = 'lt0000000002'")"
[[ $(t_field a .result.state) == behind ]] || fail "state: $(t_field a .result.state)"
ok "lock held throughout: 2 retries, then 55P03, exit 1, nothing changed"

# ---- the blocker lets go after the first timeout ----------------------------------
block 60
n0=$(grep -c 'lock timeout (attempt' "$log" || true)
rc=0
ctl a upgrade >"$T_TMP/up.out" 2>"$T_TMP/up.err" &
up=$!
# release the lock once the first attempt has timed out
t_wait_for 10 eval '(( $(grep -c "lock timeout (attempt" "$log") > n0 ))'
unblock
wait "$up" || rc=$?
((rc == 0)) || fail "upgrade after the blocker let go exited $rc: $(cat "$T_TMP/up.err")"
new=$(grep 'lock timeout (attempt' "$log" | tail -n +$((n0 + 1)))
grep -q 'attempt 1 of 3' <<<"$new" || fail "no retry logged: $new"
[[ $(snapshot) == 'lt0000000002|1|1|2' ]] || fail "after the retry (rows|column|log rows|rows): $(snapshot)"
[[ $(t_sql "$db" "SELECT outcome FROM migrated_history WHERE revision = 'lt0000000002' ORDER BY id DESC LIMIT 1") == ok ]] ||
	fail "no ok history row"
t_expect 0 ctl a status --check
t_stop a
ok "the blocker releases before the retries run out: the upgrade succeeds"
