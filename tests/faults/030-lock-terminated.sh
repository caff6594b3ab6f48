#!/usr/bin/env bash
# The lock session terminated by pg_terminate_backend (found through
# pg_locks and its application_name migrated@HOST:PID), idle and in the
# middle of a revision, first with one daemon, then with a standby next to
# it. The daemon notices at once, logs it, goes standby (status role
# changes) and is leader again only once it holds the lock again; the
# terminated revision rolls back and is applied once, by a daemon that
# holds the lock: no duplicate ok rows, nothing half applied, and no step
# started in a daemon's log between losing the lock and taking it again.
source "$TOP_SRCDIR/tests/faults/lib.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" term0001 none 'CREATE TABLE t1 (id int);' 'DROP TABLE t1;' >/dev/null

# slow ID DOWN N: a revision creating ta_N, sleeping 3 s, creating tb_N
slow() {
	t_rev "$dir" "$1" "$2" "CREATE TABLE ta_$3 (id int);
SELECT pg_sleep(3);
CREATE TABLE tb_$3 (id int);
INSERT INTO tb_$3 VALUES ($3);" "DROP TABLE tb_$3; DROP TABLE ta_$3;" >/dev/null
}

half() {
	t_sql "$db" "SELECT count(*) FROM pg_class WHERE relname LIKE 'ta\_%'
		AND NOT EXISTS (SELECT 1 FROM pg_class c2
			WHERE c2.relname = 'tb_' || substr(pg_class.relname, 4))"
}

# terminate the lock session; prints its backend pid
terminate() {
	local b
	b=$(f_lock_backend "$db")
	[[ -n $b ]] || fail "nobody holds the lock"
	[[ $(t_sql "$db" "SELECT pg_terminate_backend($b)") == t ]] ||
		fail "pg_terminate_backend($b) failed"
	echo "$b"
}

# lost_then_relocked NAME N: NAME's log has at least N "lock session lost"
# lines, and after each loss no step starts before the lock is taken again
lost_then_relocked() {
	awk -v want="$2" '
		/lock session lost/ { lost++; locked = 0 }
		/leader: took advisory lock/ { locked = 1 }
		/: step [0-9]+ of [0-9]+/ && lost && !locked { bad++ }
		END { exit !(lost >= want && !bad) }' "$T_TMP/$1.log"
}

# ---- one daemon, idle --------------------------------------------------------
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
apid=$(t_pid a)
[[ $(f_lock_holder "$db") == "$apid" ]] || fail "a does not hold the lock"
f_roles 3 "$(t_sock a)" >"$T_TMP/roles" &
rpid=$!
sleep 0.3
b1=$(terminate)
t_wait_for 5 grep -q 'lock session lost' "$T_TMP/a.log"
for ((i = 0; i < 100; i++)); do
	h=$(f_lock_backend "$db")
	[[ -n $h && $h != "$b1" && $(f_lock_holder "$db") == "$apid" ]] && break
	sleep 0.05
done
((i < 100)) || fail "a did not take the lock again"
# from the daemon's own log: loss noticed -> lock taken again
ms=$(awk '/lock session lost/ { split($1, t, /[T:Z]/); a = t[2] * 3600 + t[3] * 60 + t[4] }
	/leader: took advisory lock/ && a { split($1, t, /[T:Z]/); b = t[2] * 3600 + t[3] * 60 + t[4] }
	END { printf "%d", (b - a) * 1000 }' "$T_TMP/a.log")
wait "$rpid" || fail "role sampler: $(cat "$T_TMP/roles")"
roles=$(head -1 "$T_TMP/roles")
[[ $roles == "leader standby leader" ]] || fail "a's roles around the termination: $roles"
grep -q 'no longer leader' "$T_TMP/a.log" || fail "a did not log that it lost leadership"
[[ $(t_field a .result.role) == leader ]] || fail "a is not leader again"
f_alive a || fail "a died"
ok "idle lock session terminated: a logged it, went $roles, has the lock again after $ms ms"

# ---- one daemon, mid-revision ---------------------------------------------------
slow term0002 term0001 2
f_reload_bg a
t_wait_for 10 eval '[[ -n $(t_sql "$db" "SELECT 1 FROM pg_stat_activity WHERE query LIKE '"'"'SELECT pg_sleep(3)%'"'"' AND state = '"'"'active'"'"'") ]]'
sleeping=$(t_sql "$db" "SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'")
[[ $sleeping == $(f_lock_backend "$db") ]] || fail "the revision does not run on the lock session"
b2=$(terminate)
[[ $(half) == 0 ]] || fail "ta_2 without tb_2 right after the termination"
t_wait_for 20 t_state_is a current
[[ $(half) == 0 ]] || fail "term0002 half applied"
[[ -z $(f_history_dups "$db") ]] || fail "applied twice: $(f_history_dups "$db")"
[[ $(t_sql "$db" "SELECT count(*) FROM tb_2") == 1 ]] || fail "tb_2 rows"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'term0002' AND outcome = 'ok'") == 1 ]] ||
	fail "term0002 history"
lost_then_relocked a 2 || fail "a started a step without the lock: $(grep -E 'lock session lost|took advisory|step [0-9]' "$T_TMP/a.log")"
[[ $(t_pid a) == "$apid" ]] && f_alive a || fail "a is not the same process"
ok "lock session terminated mid-revision: rolled back, re-applied once after relocking"

# ---- leader and standby ----------------------------------------------------------
t_start b "$db" "$dir"
t_wait_for 10 t_state_is b current
[[ $(t_field b .result.role) == standby ]] || fail "b is not standby"
slow term0003 term0002 3
f_reload_bg a
t_expect 0 ctl b -q reload
t_wait_for 10 eval '[[ -n $(t_sql "$db" "SELECT 1 FROM pg_stat_activity WHERE query LIKE '"'"'SELECT pg_sleep(3)%'"'"' AND state = '"'"'active'"'"'") ]]'
f_roles 6 "$(t_sock a)" "$(t_sock b)" >"$T_TMP/roles" &
rpid=$!
sleep 0.2
before=$(f_lock_holder "$db")
b3=$(terminate)
t_wait_for 10 eval '[[ -n $(f_lock_holder "$db") && $(f_lock_backend "$db") != "$b3" ]]'
after=$(f_lock_holder "$db")
wait "$rpid" || fail "role sampler: $(cat "$T_TMP/roles")"
[[ $(tail -1 "$T_TMP/roles") == "double 0" ]] || fail "two leaders at once: $(cat "$T_TMP/roles")"
t_wait_for 20 t_state_is a current
t_wait_for 5 t_state_is b current
[[ $(half) == 0 ]] || fail "term0003 half applied"
[[ -z $(f_history_dups "$db") ]] || fail "applied twice: $(f_history_dups "$db")"
[[ $(t_sql "$db" "SELECT count(*) FROM tb_3") == 1 ]] || fail "tb_3 rows"
for n in a b; do
	lost_then_relocked "$n" 0 || fail "$n started a step without the lock"
done
leaders=0
for n in a b; do [[ $(t_field "$n" .result.role) == leader ]] && leaders=$((leaders + 1)); done
((leaders == 1)) || fail "$leaders leaders after the termination"
echo "# roles: a: $(sed -n 1p "$T_TMP/roles"); b: $(sed -n 2p "$T_TMP/roles")"
ok "with a standby: lock of $before terminated mid-revision, $after leads, one leader at every sample, applied once"

# ---- the new leader's idle session, terminated too --------------------------------
holder=$(f_lock_holder "$db")
b4=$(terminate)
t_wait_for 10 eval '[[ -n $(f_lock_holder "$db") && $(f_lock_backend "$db") != "$b4" ]]'
for n in a b; do f_alive "$n" || fail "$n died"; done
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome <> 'ok'") == 0 ]] ||
	fail "failed rows: $(t_sql "$db" "SELECT revision, outcome, error FROM migrated_history WHERE outcome <> 'ok'")"
t_stop a
t_stop b
ok "idle lock of $holder terminated: $(f_lock_holder "$db" || true)the lock moves on, both daemons stop cleanly"
echo "# FIGURES lock-terminated: 4 pg_terminate_backend (2 mid-revision): relock after $ms ms, 0 duplicates, 0 half-applied"
