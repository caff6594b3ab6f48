#!/usr/bin/env bash
# Two daemons on one database: exactly one leads, the standby serves reads
# and refuses changes with not_leader (exit 75). kill -9 of the leader in the
# middle of a transactional revision: the transaction rolls back, the standby
# takes the lock within about two seconds and applies the revision exactly
# once.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

now_ms() { date +%s%3N; }
role() { t_field "$1" .result.role; }

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none 'CREATE TABLE base_t (id int);' \
	'DROP TABLE base_t;' >/dev/null

# a: leader, applies only on request; b: standby with auto-migrate on, so it
# upgrades as soon as it becomes leader.
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
t_expect 0 ctl a -q upgrade head
t_start b "$db" "$dir"
t_wait_for 10 t_state_is b current

ra=$(role a) rb=$(role b)
[[ $ra == leader && $rb == standby ]] || fail "roles: a=$ra b=$rb"
# The standby knows who holds the lock.
app=$(t_field b .result.leader.application_name)
[[ $app == *":$(t_pid a)" ]] || fail "b names leader '$app', a is pid $(t_pid a)"
ok "exactly one leader (a), b is standby and names a as leader"

# The standby answers reads.
t_expect 0 ctl b status >/dev/null
ctl b history | grep -q 'aaaa0001' || fail "standby history: $(ctl b history)"
[[ $(ctl b current) == "aaaa0001 (head)" ]] || fail "standby current: $(ctl b current)"
t_expect 0 ctl b check >/dev/null
t_expect 0 ctl b status --check >/dev/null
ok "standby answers status, history, current, check"

# ... and refuses changes.
rc=0
out=$(t_json b upgrade head) || rc=$?
((rc == 75)) || fail "upgrade on the standby exited $rc: $out"
[[ $(jq -r .error.code <<<"$out") == not_leader ]] || fail "standby upgrade: $out"
t_expect 75 ctl b -q downgrade base 2>/dev/null
t_expect 75 ctl b -q stamp base 2>/dev/null
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == aaaa0001 ]] ||
	fail "version row changed"
ok "upgrade/downgrade/stamp on the standby exit 75 (not_leader)"

# A slow revision: CREATE TABLE, a sleep, then more statements.
t_rev "$dir" bbbb0002 aaaa0001 "CREATE TABLE slow_t (id int);
INSERT INTO slow_t VALUES (1);
SELECT pg_sleep(3);
CREATE TABLE slow_after (id int);
INSERT INTO slow_t VALUES (2);" 'DROP TABLE slow_after; DROP TABLE slow_t;' \
	>/dev/null
# Leader first: a standby with newer files than the leader's would be
# handed the lock (rolling deploys, SPEC §3).
t_expect 0 ctl a -q reload
t_expect 0 ctl b -q reload
[[ $(role a) == leader ]] || fail "a lost leadership on reload"

ctl a upgrade head >"$T_TMP/up.out" 2>"$T_TMP/up.err" &
up_pid=$!
# Wait until the leader's session sleeps inside the revision.
sleeping() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'") == 1 ]]
}
t_wait_for 10 sleeping
[[ $(t_sql "$db" "SELECT to_regclass('slow_t') IS NULL") == t ]] ||
	fail "slow_t visible before commit"
[[ $(t_json b status | jq -r .result.running) == null ]] ||
	fail "standby reports a running step of its own"

a_pid=$(t_pid a)
t0=$(now_ms)
t_kill a
took_ms=
for ((i = 0; i < 100; i++)); do
	if [[ $(role b) == leader ]]; then
		took_ms=$(($(now_ms) - t0))
		break
	fi
	sleep 0.05
done
[[ -n $took_ms ]] || fail "b did not become leader within 5 s of kill -9"
echo "# takeover after kill -9: ${took_ms} ms"
((took_ms < 4000)) || fail "takeover took ${took_ms} ms (spec: about 2 s)"
ok "standby became leader ${took_ms} ms after kill -9 of the leader"

# The client of the killed daemon lost its connection: exit 75.
rc=0
wait "$up_pid" || rc=$?
((rc == 75)) || fail "upgrade client of the killed daemon exited $rc: $(cat "$T_TMP/up.err")"
ok "the killed daemon's upgrade client exits 75"

# b applies the revision (auto-migrate on becoming leader).
t_wait_for 15 t_state_is b current
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == bbbb0002 ]] ||
	fail "version rows: $(t_sql "$db" "SELECT version_num FROM alembic_version")"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'bbbb0002' AND operation = 'upgrade' AND outcome = 'ok'") == 1 ]] ||
	fail "history: $(t_sql "$db" "SELECT revision, operation, outcome, pid FROM migrated_history")"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'running'") == 0 ]] ||
	fail "a running history row is left"
[[ $(t_sql "$db" "SELECT pid FROM migrated_history WHERE revision = 'bbbb0002' AND outcome = 'ok'") == "$(t_pid b)" ]] ||
	fail "bbbb0002 was not applied by b: $(t_sql "$db" "SELECT revision, outcome, pid FROM migrated_history")"
[[ $(t_sql "$db" "SELECT count(*) FROM pg_class WHERE relname = 'slow_t' AND relkind = 'r'") == 1 ]] ||
	fail "slow_t does not exist exactly once"
# The killed transaction's first INSERT did not survive: one run's rows only.
[[ $(t_sql "$db" "SELECT string_agg(id::text, ',' ORDER BY id) FROM slow_t") == 1,2 ]] ||
	fail "slow_t rows: $(t_sql "$db" "SELECT * FROM slow_t")"
[[ $(t_sql "$db" "SELECT to_regclass('slow_after') IS NOT NULL") == t ]] ||
	fail "slow_after missing"
# No session of the killed daemon holds anything any more.
[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE '%:$a_pid'") == 0 ]] ||
	fail "sessions of the killed daemon remain"
ok "the revision rolled back with the leader and was applied once by b"

app=$(t_field b .result.leader.application_name)
[[ $app == *":$(t_pid b)" ]] || fail "leader after takeover: '$app'"
t_stop b
ok "b reports itself as leader and stops cleanly"
