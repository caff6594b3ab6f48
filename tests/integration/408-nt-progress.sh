#!/usr/bin/env bash
# A dirty non-transactional step says how far it got (issue 10 item 5):
# the running row records each statement as it completes; status, log and
# resolve show which statements ran -- after a failed statement, and after
# a daemon killed inside one.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa00000001 none 'CREATE TABLE t0 (id int);' 'DROP TABLE t0;' >/dev/null
f=$(t_rev "$dir" ntfa00000002 aaaa00000001 "CREATE TABLE nt_one (id int);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE nt_three (id int);" 'DROP TABLE IF EXISTS nt_one;' 'transactional: false')
l1=$(grep -n '^CREATE TABLE nt_one' "$f" | cut -d: -f1)
l2=$(grep -n '^INSERT INTO no_such_table' "$f" | cut -d: -f1)
t_start a "$db" "$dir" --no-auto-migrate
t_expect 1 ctl a -q upgrade 2>/dev/null
t_wait_for 5 t_state_is a dirty
want="1 of 3 done (the last at $f:$l1); $f:$l2 did not complete"

st=$(t_json a status)
[[ $(jq -r .result.dirty.statements <<<"$st") == "$want" ]] || fail "status --json dirty: $st"
ctl a status | grep -qF "STATEMENTS: $want" || fail "status text: $(ctl a status)"
ctl a log | grep -qF "    STATEMENTS: $want" || fail "log: $(ctl a log)"
ok "a failed statement: status and log say 1 of 3 done and which did not complete"

rc=0
ctl a resolve ntfa00000002 >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
((rc == 2)) || fail "resolve without a choice exited $rc"
grep -qF "ntfa00000002 did not finish: $want" "$T_TMP/err" || fail "resolve without a choice: $(cat "$T_TMP/err")"
t_sql "$db" "DROP TABLE nt_one" >/dev/null
out=$(ctl a resolve ntfa00000002 --rolled-back) || fail "resolve --rolled-back: $out"
grep -qF "ntfa00000002 did not finish: $want" <<<"$out" || fail "resolve output: $out"
grep -q "^resolved ntfa00000002 as rolled back" <<<"$out" || fail "resolve output: $out"
ok "resolve shows which statements ran, before the choice and with it"

# ---- killed inside a statement: the running row says how far it got ----------
t_stop a
rm "$f"
g=$(t_rev "$dir" ntkl00000002 aaaa00000001 "CREATE TABLE k_one (id int);
SELECT pg_sleep(60);
CREATE TABLE k_three (id int);" 'DROP TABLE IF EXISTS k_one;' 'transactional: false')
k1=$(grep -n '^CREATE TABLE k_one' "$g" | cut -d: -f1)
k2=$(grep -n '^SELECT pg_sleep' "$g" | cut -d: -f1)
t_start b "$db" "$dir" --no-auto-migrate
ctl b -q upgrade >/dev/null 2>&1 &
t_wait_for 10 eval "[[ \$(t_sql '$db' \"SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'\") == 1 ]]"
t_kill b
t_sql_su "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'" >/dev/null
t_start c "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is c dirty
want="1 of 3 done (the last at $g:$k1); $g:$k2 may have run"
[[ $(t_json c status | jq -r .result.dirty.statements) == "$want" ]] ||
	fail "after a kill: $(t_json c status | jq -c .result.dirty)"
ok "killed inside a statement: 1 of 3 done, the next may have run"
t_stop c
