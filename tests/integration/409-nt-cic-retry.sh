#!/usr/bin/env bash
# A lock_timeout retry of CREATE INDEX CONCURRENTLY in a transactional: false
# revision: the cancelled attempt leaves an invalid index of that name; the
# daemon drops that one (and only one its own attempt made) before the
# retry, so the index ends valid -- also with IF NOT EXISTS, which would
# otherwise "succeed" on the invalid index. An invalid index of that name
# that someone else made before the upgrade is left alone: the statement
# fails on it as before and the revision is dirty. A DROP that times out
# counts as an attempt.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" cic000000001 none 'CREATE TABLE c (id int, x int, y int, z int, w int);
INSERT INTO c SELECT g, g, g, g, g FROM generate_series(1, 100) g;' 'DROP TABLE c;' >/dev/null
t_rev "$dir" cic000000002 cic000000001 'CREATE INDEX CONCURRENTLY c_x_idx ON c (x);' \
	'DROP INDEX CONCURRENTLY IF EXISTS c_x_idx;' 'transactional: false' 'lock_timeout: 300ms' >/dev/null
t_rev "$dir" cic000000003 cic000000002 'CREATE INDEX CONCURRENTLY IF NOT EXISTS c_y_idx ON c (y);' \
	'DROP INDEX CONCURRENTLY IF EXISTS c_y_idx;' 'transactional: false' 'lock_timeout: 300ms' >/dev/null
t_rev "$dir" cic000000004 cic000000003 'CREATE INDEX CONCURRENTLY c_w_idx ON c (w);' \
	'DROP INDEX CONCURRENTLY IF EXISTS c_w_idx;' 'transactional: false' 'lock_timeout: 300ms' >/dev/null
t_rev "$dir" cic000000005 cic000000004 'CREATE INDEX CONCURRENTLY c_z_idx ON c (z);' \
	'DROP INDEX CONCURRENTLY IF EXISTS c_z_idx;' 'transactional: false' 'lock_timeout: 300ms' >/dev/null
conf=$T_TMP/migrated.conf
# many retries: the blocker is let go once the first attempt has timed out,
# and a loaded machine may take a few more before it is gone
printf 'lock_retries = 100\n' >"$conf"
t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
ctl a -q upgrade cic000000001 >/dev/null || fail "upgrade to cic000000001"
log=$T_TMP/a.log

# index NAME: "valid|oid" of the index, or "" when there is none
index() {
	t_sql "$db" "SELECT i.indisvalid || '|' || c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = '$1' AND c.relnamespace = '$T_SCHEMA'::regnamespace"
}

blocker_runs() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'blocker' AND state = 'active' AND wait_event = 'PgSleep'") == 1 ]]
}

# block SQL: a session runs SQL (then sleeps) in an open transaction
block() {
	PGAPPNAME=blocker psql -X -q -d "$db" -c "BEGIN; $1 SELECT pg_sleep(120); COMMIT;" >/dev/null 2>&1 &
	blocker=$!
	t_wait_for 30 blocker_runs
}

unblock() {
	t_sql "$db" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'blocker'" >/dev/null
	wait "$blocker" 2>/dev/null || true
}

retries() {
	grep -c "lock timeout (attempt" "$log" || true
}

# upgrade_blocked TARGET [TEXT]: upgrade to TARGET while a transaction
# older than the upgrade runs; the blocker goes once the first attempt
# timed out (and the log has a line with TEXT, after). Sets rc and n0
# (retry lines before).
upgrade_blocked() {
	n0=$(retries)
	l0=$(wc -l <"$log")
	rc=0
	ctl a upgrade "$1" >"$T_TMP/up.out" 2>"$T_TMP/up.err" &
	up=$!
	t_wait_for 60 eval '(( $(retries) > n0 ))'
	grep "lock timeout (attempt" "$log" | tail -n +$((n0 + 1)) | grep -q "$1.*lock timeout (attempt 1 of 101)" ||
		fail "the first retry line does not name $1: $(tail -n 5 "$log")"
	wait_text=${2:-}
	[[ -z $wait_text ]] || t_wait_for 60 eval 'tail -n +$((l0 + 1)) "$log" | grep -qF "$wait_text"'
	unblock
	wait "$up" || rc=$?
}

# ---- a plain CREATE INDEX CONCURRENTLY --------------------------------------
# an old snapshot: CREATE INDEX CONCURRENTLY waits for it after it has put
# the index in the catalog, and the lock_timeout cancels it there
block 'SELECT 1;'
upgrade_blocked cic000000002
((rc == 0)) || fail "upgrade exited $rc: $(cat "$T_TMP/up.err")"
[[ $(index c_x_idx) == true\|* ]] || fail "c_x_idx is not valid: $(index c_x_idx)"
[[ $(t_sql "$db" "SELECT count(*) FROM pg_index WHERE indrelid = '$T_SCHEMA.c'::regclass") == 1 ]] ||
	fail "indexes on c: $(t_sql "$db" "SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indrelid = '$T_SCHEMA.c'::regclass")"
grep -F "dropped the invalid index \"$T_SCHEMA\".\"c_x_idx\" (oid " "$log" | grep -F 'that the cancelled CREATE INDEX CONCURRENTLY left' |
	grep -q cic000000002 || fail "no log line names the dropped index: $(grep -F c_x_idx "$log")"
[[ $(t_sql "$db" "SELECT outcome FROM $T_SCHEMA.migrated_history WHERE revision = 'cic000000002' ORDER BY id DESC LIMIT 1") == ok ]] ||
	fail "history: $(t_sql "$db" "SELECT outcome, error FROM $T_SCHEMA.migrated_history WHERE revision = 'cic000000002'")"
ok "a cancelled CREATE INDEX CONCURRENTLY: its invalid index dropped, the retry builds it valid"

# ---- IF NOT EXISTS: the retry must not keep the invalid index ----------------
block 'SELECT 1;'
upgrade_blocked cic000000003
((rc == 0)) || fail "upgrade exited $rc: $(cat "$T_TMP/up.err")"
[[ $(index c_y_idx) == true\|* ]] || fail "c_y_idx is not valid: $(index c_y_idx)"
grep -F "dropped the invalid index \"$T_SCHEMA\".\"c_y_idx\"" "$log" | grep -q cic000000003 ||
	fail "no log line names the dropped index: $(grep -F c_y_idx "$log")"
ok "CREATE INDEX CONCURRENTLY IF NOT EXISTS: the index ends valid"

# ---- the DROP times out too: an attempt like any other -------------------------
# the blocker has read the table: DROP INDEX CONCURRENTLY waits for its lock
block 'SELECT count(*) FROM c;'
upgrade_blocked cic000000004 'cannot drop the invalid index'
((rc == 0)) || fail "upgrade exited $rc: $(cat "$T_TMP/up.err")"
[[ $(index c_w_idx) == true\|* ]] || fail "c_w_idx is not valid: $(index c_w_idx)"
new=$(tail -n +$((l0 + 1)) "$log")
grep -F "cannot drop the invalid index \"$T_SCHEMA\".\"c_w_idx\"" <<<"$new" | grep -q 'lock timeout' ||
	fail "no log line says the DROP timed out: $new"
grep 'cannot drop the invalid index' -A 1 <<<"$new" | grep -q "cic000000004: lock timeout (attempt [0-9]* of 101)" ||
	fail "the DROP's timeout is not counted as an attempt: $new"
grep -qF "dropped the invalid index \"$T_SCHEMA\".\"c_w_idx\"" <<<"$new" || fail "never dropped: $new"
ok "a DROP that times out is an attempt; once the blocker is gone the index is built valid"

# ---- someone else's invalid index of that name is not ours to drop -----------
block 'SELECT 1;'
rc=0
psql -X -q -d "$db" -c "SET lock_timeout = '300ms'" -c "CREATE INDEX CONCURRENTLY c_z_idx ON c (z)" \
	>/dev/null 2>"$T_TMP/z.err" || rc=$?
unblock
((rc != 0)) && grep -q 'lock timeout' "$T_TMP/z.err" || fail "setup: CREATE INDEX CONCURRENTLY was not cancelled ($rc): $(cat "$T_TMP/z.err")"
theirs=$(index c_z_idx)
[[ $theirs == false\|* ]] || fail "setup: no invalid c_z_idx: $theirs"
# a lock on the table: the daemon's CREATE INDEX CONCURRENTLY times out
# before it makes anything, then its retry finds only that index
block 'LOCK TABLE c IN SHARE MODE;'
upgrade_blocked cic000000005
((rc == 1)) || fail "upgrade over someone else's invalid index exited $rc, expected 1: $(cat "$T_TMP/up.err")"
grep -q 'already exists' "$T_TMP/up.err" || fail "error: $(cat "$T_TMP/up.err")"
[[ $(index c_z_idx) == "$theirs" ]] || fail "c_z_idx changed: $theirs, now $(index c_z_idx)"
grep -F c_z_idx "$log" | grep -q 'dropped the invalid index' && fail "the daemon dropped someone else's index: $(grep -F c_z_idx "$log")"
grep -F "the invalid index \"$T_SCHEMA\".\"c_z_idx\"" "$log" | grep -q 'existed before this revision ran: not dropped' ||
	fail "no log line says the index was kept: $(grep -F c_z_idx "$log")"
t_wait_for 10 t_state_is a dirty
[[ $(t_sql "$db" "SELECT outcome FROM $T_SCHEMA.migrated_history WHERE revision = 'cic000000005' ORDER BY id DESC LIMIT 1") == failed ]] ||
	fail "history: $(t_sql "$db" "SELECT outcome, error FROM $T_SCHEMA.migrated_history WHERE revision = 'cic000000005'")"
t_stop a
ok "an invalid index of that name from before the upgrade is kept: the step fails, dirty"
