#!/usr/bin/env bash
# PostgreSQL stopped and restarted under a leader and a standby, beyond
# tests/integration/170-pg-restart.sh: pg_restart fast and immediate in the
# middle of a revision (it rolls back and is applied once after the
# restart), a 4 s outage during which both daemons stay up, answer status
# with connected false and the reason, refuse changes and database
# reads with db_unavailable (exit 75) and retry with a growing backoff;
# then both reconnect, exactly one leads, auto-migrate resumes. Three
# outages in a row; the daemon pids never change.
#
# On a cluster of its own (tests/lib/pg.sh), so that stopping it cannot
# disturb the shared one should this test die during an outage.
source "$TOP_SRCDIR/tests/faults/lib.sh"
unset PG_TMPDIR PG_DATADIR PG_LOGFILE _PG_SH_LOADED
source "$TOP_SRCDIR/tests/lib/pg.sh"
PG_QUIET=1 pg_start restart_faults >/dev/null

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" rs000001 none 'CREATE TABLE r1 (id int);' 'DROP TABLE r1;' >/dev/null

# slow ID DOWN N: ra_N, a 3 s sleep, rb_N
slow() {
	t_rev "$dir" "$1" "$2" "CREATE TABLE ra_$3 (id int);
SELECT pg_sleep(3);
CREATE TABLE rb_$3 (id int);
INSERT INTO rb_$3 VALUES ($3);" "DROP TABLE rb_$3; DROP TABLE ra_$3;" >/dev/null
}

half() {
	t_sql "$db" "SELECT count(*) FROM pg_class WHERE relname LIKE 'ra\_%'
		AND NOT EXISTS (SELECT 1 FROM pg_class c2
			WHERE c2.relname = 'rb_' || substr(pg_class.relname, 4))"
}

connected_is() { [[ $(t_field "$1" .result.connected) == "$2" ]]; }

sleeping() {
	[[ -n $(t_sql "$db" "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'" 2>/dev/null) ]]
}

# one_leader: exactly one of a, b says leader, and it holds the lock
one_leader() {
	local n l=0 who=
	for n in a b; do
		[[ $(t_field "$n" .result.role) == leader ]] && l=$((l + 1)) && who=$n
	done
	((l == 1)) && [[ $(f_lock_holder "$db") == $(t_pid "$who") ]]
}

checks() {
	[[ $(half) == 0 ]] || fail "$1: a revision is half applied"
	[[ -z $(f_history_dups "$db") ]] || fail "$1: applied twice: $(f_history_dups "$db")"
	[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'running'") == 0 ]] ||
		fail "$1: running rows"
}

t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
t_start b "$db" "$dir"
t_wait_for 10 t_state_is b current
apid=$(t_pid a) bpid=$(t_pid b)

# ---- restart (fast, then immediate) in the middle of a revision ---------------
n=2 prev=rs000001
for mode in fast immediate; do
	id=$(printf 'rs%06d' "$n")
	slow "$id" "$prev" "$n"
	leader=a
	[[ $(t_field a .result.role) == leader ]] || leader=b
	f_reload_bg "$leader"
	for x in a b; do [[ $x == "$leader" ]] || t_expect 0 ctl "$x" -q reload; done
	t_wait_for 10 sleeping
	pg_restart "$mode"
	checks "right after pg_restart $mode"
	[[ $(t_sql "$db" "SELECT to_regclass('ra_$n') IS NULL") == t ]] ||
		fail "$id survived a restart in its middle"
	t_wait_for 30 t_state_is a current
	t_wait_for 10 t_state_is b current
	checks "after pg_restart $mode"
	[[ $(t_sql "$db" "SELECT count(*) FROM rb_$n") == 1 ]] || fail "rb_$n rows"
	t_wait_for 10 one_leader
	ok "pg_restart $mode during $id: rolled back, applied once after the restart"
	prev=$id n=$((n + 1))
done

# ---- a 4 s outage, three times -----------------------------------------------------
for cycle in 1 2 3; do
	mode=fast
	((cycle == 2)) && mode=immediate
	pg_stop_server "$mode"
	t_wait_for 5 connected_is a false
	t_wait_for 5 connected_is b false
	t_out=$(f_now_ms)
	# status answers, with the reason
	ms=$(f_status_answers a)
	st=$(t_json a status)
	[[ $(jq -r .result.connected <<<"$st") == false ]] || fail "connected: $st"
	err=$(jq -r '.result.error // ""' <<<"$st")
	[[ -n $err ]] || fail "no reason during the outage: $st"
	err=$(tr '\n\t' '  ' <<<"$err" | tr -s ' ')
	[[ $(jq -r .result.role <<<"$st") == standby ]] || fail "leader without a database: $st"
	# changes and database reads: db_unavailable, exit 75
	for req in "upgrade" "downgrade base" "stamp base" "log" "status --fresh" "verify" "check"; do
		rc=0
		# shellcheck disable=SC2086
		out=$(t_json a $req) || rc=$?
		code=$(jq -r '.error.code // "none"' <<<"$(tail -n 1 <<<"$out")")
		if [[ $req == "status --fresh" ]]; then
			# a fresh status still answers, saying why it is stale
			[[ $(jq -r .result.connected <<<"$out") == false ]] || fail "status --fresh during the outage: $out"
			continue
		fi
		((rc == 75)) || fail "$req during the outage exited $rc: $out"
		[[ $code == db_unavailable ]] || fail "$req during the outage: code $code (want db_unavailable): $out"
	done
	# a new revision arrives during the outage
	id=$(printf 'rs%06d' "$n")
	t_rev "$dir" "$id" "$prev" "CREATE TABLE ra_$n (id int); CREATE TABLE rb_$n (id int); INSERT INTO rb_$n VALUES ($n);" \
		"DROP TABLE rb_$n; DROP TABLE ra_$n;" >/dev/null
	t_expect 0 ctl a -q reload
	t_expect 0 ctl b -q reload
	left=$((4000 - ($(f_now_ms) - t_out)))
	((left > 0)) && sleep "$(awk -v l="$left" 'BEGIN { printf "%.3f", l / 1000 }')"
	pg_start_server
	t_back=$(f_now_ms)
	t_wait_for 40 connected_is a true
	t_wait_for 40 connected_is b true
	t_wait_for 10 one_leader
	t_wait_for 20 t_state_is a current
	t_wait_for 10 t_state_is b current
	back=$(($(f_now_ms) - t_back))
	checks "after outage $cycle"
	[[ $(t_sql "$db" "SELECT count(*) FROM rb_$n") == 1 ]] || fail "rb_$n rows"
	[[ $(t_pid a) == "$apid" && $(t_pid b) == "$bpid" ]] && f_alive a && f_alive b ||
		fail "a daemon process changed or died"
	ok "outage $cycle ($mode stop, 4 s): status in $ms ms saying \"$err\", db_unavailable for changes, both back and current ${back} ms after the start, $id applied once"
	prev=$id n=$((n + 1))
done

grep -q 'lock session lost' "$T_TMP/a.log" "$T_TMP/b.log" || fail "no lock-session loss logged"
# one line per event on stderr (SPEC §4), libpq's multi-line messages too
bad=$(grep -hvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z migrated\[[0-9]+\] ' "$T_TMP/a.log" "$T_TMP/b.log" | head -3 || true)
[[ -z $bad ]] || fail "log lines that are not one event each: $bad"
# the read session retried with a capped exponential backoff: the waits it
# announced grow (100, 200, 400 ... ms) within an outage
waits=$(grep -o 'cannot connect to the database: .*retrying in [0-9]* ms' "$T_TMP/a.log" |
	grep -o '[0-9]* ms$' | tr -d ' ms' | tr '\n' ' ')
echo "# read-session retry waits of a: $waits"
awk -v w="$waits" 'BEGIN { n = split(w, v, " "); grow = 0
	for (i = 2; i <= n; i++) if (v[i] > v[i - 1]) grow++
	exit !(grow >= 3) }' || fail "no growing backoff in a's log: $waits"
t_stop a
t_stop b
ok "the read session's retry waits grew in each outage; both daemons stop cleanly"
echo "# FIGURES pg-restart: 2 restarts mid-revision + 3 outages of 4 s: same pids, 0 duplicates, 0 half-applied"
