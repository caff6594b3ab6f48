#!/usr/bin/env bash
# upgrade --atomic runs the whole plan in one transaction without a
# savepoint per revision (SPEC §3; issue 13 target 2): a revision sees no
# subtransaction -- its backend holds exactly one transaction-id lock, where
# every savepoint that wrote would hold one more. A lock_timeout retries
# the whole transaction (a sequence, which no rollback resets, is advanced
# again by the first revision), and a failure still names its revision,
# FILE:LINE and SQLSTATE, and leaves nothing.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_sql "$db" "CREATE SEQUENCE ax_seq; CREATE TABLE ax_lk (id int)"
t_rev "$dir" ax000001 none 'CREATE TABLE ax_one (id int);
SELECT nextval('"'ax_seq'"');' 'DROP TABLE ax_one;' >/dev/null
t_rev "$dir" ax000002 ax000001 'CREATE TABLE ax_two (id int);' 'DROP TABLE ax_two;' >/dev/null
t_rev "$dir" ax000003 ax000002 'ALTER TABLE ax_lk ADD COLUMN c int;' 'ALTER TABLE ax_lk DROP COLUMN c;' >/dev/null
t_rev "$dir" ax000004 ax000003 'CREATE TABLE ax_probe AS SELECT count(*) AS xid_locks
FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = '"'transactionid'"';' 'DROP TABLE ax_probe;' >/dev/null
conf="$T_TMP/m.conf"
printf 'lock_timeout = 300ms\nlock_retries = 6\n' >"$conf"

t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind

# ---- no subtransaction; a lock_timeout retries the whole transaction -----------
psql -X -qAt -d "$db" -c "BEGIN; LOCK ax_lk IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(1.2); COMMIT;" >/dev/null &
holder=$!
locked() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_locks WHERE relation = 'ax_lk'::regclass AND mode = 'AccessExclusiveLock' AND granted") == 1 ]]
}
t_wait_for 10 locked
rc=0
out=$(t_json a upgrade --atomic) || rc=$?
wait "$holder"
((rc == 0)) || fail "upgrade --atomic exited $rc: $(tail -n 1 <<<"$out")"
[[ $(t_sql "$db" "SELECT xid_locks FROM ax_probe") == 1 ]] ||
	fail "a revision of --atomic ran in a subtransaction: $(t_sql "$db" "SELECT xid_locks FROM ax_probe") transaction-id locks"
ok "--atomic: one transaction-id lock in the last revision (no savepoints)"

grep -q "lock timeout (attempt 1 of 7)" "$T_TMP/a.log" || fail "no lock_timeout retry in the log"
[[ $(t_sql "$db" "SELECT last_value >= 2 FROM ax_seq") == t ]] ||
	fail "the retry did not run the first revision again (ax_seq at $(t_sql "$db" "SELECT last_value FROM ax_seq"))"
[[ $(jq -c '.result.steps | map(.revision)' <<<"$(tail -n 1 <<<"$out")") == '["ax000001","ax000002","ax000003","ax000004"]' ]] ||
	fail "steps: $(tail -n 1 <<<"$out")"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'ok'") == 4 ]] ||
	fail "history: $(t_sql "$db" "SELECT revision || ':' || outcome FROM migrated_history")"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == ax000004 ]] || fail "rows"
ok "a lock_timeout in the third revision retried the whole transaction; 4 steps, 4 history rows"

# ---- a failure: nothing remains, the error names its place --------------------
t_expect 0 ctl a -q downgrade base
f=$(t_rev "$dir" ax000005 ax000004 'CREATE TABLE ax_five (id int);
SELECT 1 / 0;' 'DROP TABLE ax_five;')
t_expect 0 ctl a -q reload
maxid=$(t_sql "$db" "SELECT max(id) FROM migrated_history")
rc=0
out=$(t_json a upgrade --atomic) || rc=$?
((rc == 1)) || fail "failing --atomic exited $rc: $out"
fin=$(tail -n 1 <<<"$out")
[[ $(jq -r '.error | [.revision, .file, .line, .sqlstate] | join(" ")' <<<"$fin") == "ax000005 $f 7 22012" ]] ||
	fail "error: $fin"
[[ $(t_sql "$db" "SELECT count(*) FROM alembic_version") == 0 ]] || fail "version rows remain"
[[ $(t_sql "$db" "SELECT count(*) FROM pg_tables WHERE tablename IN ('ax_one', 'ax_two', 'ax_five', 'ax_probe')") == 0 ]] ||
	fail "tables remain"
[[ $(t_sql "$db" "SELECT count(*) FROM information_schema.columns WHERE table_name = 'ax_lk' AND column_name = 'c'") == 0 ]] ||
	fail "ax000003's column remains"
[[ $(t_sql "$db" "SELECT string_agg(revision || ':' || outcome, ' ' ORDER BY id) FROM migrated_history WHERE id > $maxid") == "ax000005:failed" ]] ||
	fail "history after the failure: $(t_sql "$db" "SELECT revision || ':' || outcome FROM migrated_history ORDER BY id")"
t_stop a
ok "a failing fifth revision: nothing remains; revision, FILE:LINE, SQLSTATE named"
