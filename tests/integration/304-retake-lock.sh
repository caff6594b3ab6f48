#!/usr/bin/env bash
# The session marker survives RESET ALL (issue 9, defect 10): a leader
# that applied revisions (each step ends in RESET ALL), handed the lock to a
# daemon with newer files and takes it back on the same session when that
# one goes, is not taken for a transaction pooler: it leads again.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
old=$(t_migdir)
t_rev "$old" rl1 none "CREATE TABLE rl_1 (id int);" "DROP TABLE rl_1;" >/dev/null
t_rev "$old" rl2 rl1 "CREATE TABLE rl_2 (id int);" "DROP TABLE rl_2;" >/dev/null
new=$(t_migdir)
cp "$old"/*.sql "$new/"
t_rev "$new" rl3 rl2 "CREATE TABLE rl_3 (id int);" "DROP TABLE rl_3;" >/dev/null
role() { t_field "$1" .result.role; }

t_start a "$db" "$old"
t_wait_for 15 t_state_is a current
[[ $(role a) == leader ]] || fail "a is not leader"
t_start c "$db" "$new"
t_wait_for 15 eval '[[ $(role c) == leader ]]'
t_wait_for 15 t_state_is c current
grep -q 'handing the lock over' "$T_TMP/a.log" || fail "no handover"
t_kill c
for i in $(seq 150); do [[ $(role a) == leader ]] && break; sleep 0.1; done
sleep 0.5
st=$(t_json a status)
[[ $(jq -r .result.role <<<"$st") == leader ]] || fail "a lost the lock again: $st"
[[ $(jq -r .result.lock_error <<<"$st") == null ]] || fail "lock_error: $st"
! grep -q 'refusing to lead' "$T_TMP/a.log" || fail "a took itself for a pooler: $(grep 'refusing' "$T_TMP/a.log")"
[[ $(grep -c 'lock session connected' "$T_TMP/a.log") == 1 ]] ||
	fail "a reconnected its lock session (not the same session)"
t_stop a
ok "a leader that re-takes the lock on the same session after RESET ALL leads"
