#!/usr/bin/env bash
# Rolling deploy (SPEC §3, daemon/leader.c's handover over NOTIFY): two
# daemons with the old files lead and stand by; a third with newer files
# (two more revisions) starts. The leader hands the lock over, the new
# daemon applies the two revisions exactly once, a role sampler never sees
# two leaders. The old daemons, now behind their database (state ahead),
# never change it: not when one of them takes the lock back after the new
# one is killed, not on reload, not on request. Restarted with the new
# files they find the database current and apply nothing.
source "$TOP_SRCDIR/tests/faults/lib.sh"

db=$(t_newdb)
old=$(t_migdir)
prev=none
for i in 1 2 3; do
	id=$(printf 'rd%06d' "$i")
	t_rev "$old" "$id" "$prev" "CREATE TABLE rd_$i (id int); INSERT INTO rd_$i VALUES ($i);" \
		"DROP TABLE rd_$i;" >/dev/null
	prev=$id
done
new=$(t_migdir)
cp "$old"/*.sql "$new/"
for i in 4 5; do
	id=$(printf 'rd%06d' "$i")
	t_rev "$new" "$id" "$prev" "CREATE TABLE rd_$i (id int); SELECT pg_sleep(0.3); INSERT INTO rd_$i VALUES ($i);" \
		"DROP TABLE rd_$i;" >/dev/null
	prev=$id
done
head=$prev

rows() { t_sql "$db" "SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version"; }
role() { t_field "$1" .result.role; }

t_start a "$db" "$old"
t_wait_for 10 t_state_is a current
t_start b "$db" "$old"
t_wait_for 10 t_state_is b current
[[ $(role a) == leader && $(role b) == standby ]] || fail "roles before the deploy"
nh0=$(t_sql "$db" "SELECT count(*) FROM migrated_history")

# ---- the new daemon arrives --------------------------------------------------------
f_roles 6 "$(t_sock a)" "$(t_sock b)" "$(t_sock c)" >"$T_TMP/roles" &
rp=$!
sleep 0.2
t0=$(f_now_ms)
f_spawn c "$db" "$new"
f_wait_up c
t_wait_for 15 eval '[[ $(role c) == leader ]]'
ms=$(($(f_now_ms) - t0))
[[ $(grep -c 'handing the lock over' "$T_TMP/a.log" "$T_TMP/b.log" | awk -F: '{ s += $2 } END { print s }') == 1 ]] ||
	fail "the lock went to another old daemon first, then on to c: $(grep -h 'handing the lock over' "$T_TMP/a.log" "$T_TMP/b.log")"
t_wait_for 15 t_state_is c current
wait "$rp" || fail "role sampler: $(cat "$T_TMP/roles")"
echo "# roles: a: $(sed -n 1p "$T_TMP/roles"); b: $(sed -n 2p "$T_TMP/roles"); c: $(sed -n 3p "$T_TMP/roles")"
[[ $(tail -1 "$T_TMP/roles") == "double 0" ]] || fail "two leaders during the handover: $(cat "$T_TMP/roles")"
[[ $(rows) == "$head" ]] || fail "version rows: $(rows)"
[[ $(t_sql "$db" "SELECT string_agg(revision || ':' || pid, ',' ORDER BY id) FROM migrated_history WHERE id > (SELECT max(id) FROM migrated_history) - 2") == "rd000004:$(t_pid c),rd000005:$(t_pid c)" ]] ||
	fail "the new revisions were not applied by c: $(t_sql "$db" "SELECT revision, operation, outcome, pid FROM migrated_history")"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history") == $((nh0 + 2)) ]] ||
	fail "more than the two new steps ran: $(t_sql "$db" "SELECT revision, operation, outcome, pid FROM migrated_history")"
grep -q 'handing the lock over' "$T_TMP/a.log" || fail "a did not log the handover"
grep -q 'asking it to hand over' "$T_TMP/c.log" || fail "c did not ask for the lock"
[[ $(role a) == standby ]] || fail "a is still leader"
ok "leader with older files handed the lock to the newer daemon in ${ms} ms; rd000004/5 applied once by it"

# ---- the old daemons see an ahead database and leave it alone ------------------------------
t_wait_for 10 t_state_is a ahead
t_wait_for 10 t_state_is b ahead
t_expect 75 ctl a -q upgrade 2>/dev/null
t_kill c
t_wait_for 10 eval '[[ $(role a) == leader || $(role b) == leader ]]'
leader=a
[[ $(role a) == leader ]] || leader=b
sleep 1.5
t_expect 0 ctl "$leader" -q reload
rc=0
out=$(t_json "$leader" upgrade) || rc=$?
((rc == 2)) || fail "an old leader's upgrade of an ahead database exited $rc: $out"
t_expect 2 ctl "$leader" -q downgrade rd000001 2>/dev/null
t_expect 4 ctl "$leader" status --check
sleep 0.5
[[ $(rows) == "$head" ]] || fail "an old daemon moved the version rows: $(rows)"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history") == $((nh0 + 2)) ]] ||
	fail "an old daemon ran something: $(t_sql "$db" "SELECT revision, operation, outcome, pid FROM migrated_history")"
ok "new daemon killed: old $leader leads an ahead database and changes nothing (upgrade 2, check 4)"

# ---- the old daemons are restarted with the new files ---------------------------------------
t_stop a
t_stop b
t_start a "$db" "$new"
t_start b "$db" "$new"
t_wait_for 10 t_state_is a current
t_wait_for 10 t_state_is b current
l=0
for n in a b; do [[ $(role "$n") == leader ]] && l=$((l + 1)); done
((l == 1)) || fail "$l leaders after the deploy"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history") == $((nh0 + 2)) ]] ||
	fail "the restarted daemons ran something"
[[ -z $(f_history_dups "$db") ]] || fail "duplicates: $(f_history_dups "$db")"
t_stop a
t_stop b
ok "deploy finished: both on the new files, current, one leader, nothing re-run"
echo "# FIGURES rolling-deploy: handover in ${ms} ms, new revisions applied once, 0 double-leader samples"
