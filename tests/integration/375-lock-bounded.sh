#!/usr/bin/env bash
# The LOCK of the version table that opens every migration transaction is
# itself bounded by lock_timeout (issue 9, defect 11): while another session
# holds the version table locked, a transactional step, a non-transactional
# step's bookkeeping and a stamp each give up after lock_retries retries
# instead of waiting as long as the other session likes, and change nothing.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" lb000001 none 'CREATE TABLE lb_one (id int);' 'DROP TABLE lb_one;' >/dev/null
conf="$T_TMP/m.conf"
printf 'lock_retries = 1\nlock_timeout = 200ms\n' >"$conf"

t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind

# hold: a session that keeps the version table locked for 60 s
hold() {
	psql -X -qAt -d "$db" -c "BEGIN; LOCK alembic_version IN SHARE MODE; SELECT pg_sleep(60);" \
		>/dev/null 2>&1 &
	holder=$!
	t_wait_for 10 held
}
held() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'alembic_version' AND l.mode = 'ShareLock' AND l.granted") == 1 ]]
}
release() {
	[[ -n $holder ]] || return 0
	kill "$holder" 2>/dev/null || true
	wait "$holder" 2>/dev/null || true
	holder=
	t_sql "$db" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()" >/dev/null
}
holder=
trap 'rc=$?; set +e; release; (exit $rc); t_cleanup' EXIT
hist() {
	t_sql "$db" "SELECT count(*) FROM migrated_history"
}

# ---- a transactional step -------------------------------------------------
hold
rc=0
out=$(timeout 20 "$MIGRATECTL" -s "$(t_sock a)" --json upgrade head 2>/dev/null) || rc=$?
((rc != 124)) || fail "upgrade waited for the version table's lock without bound"
((rc == 1)) || fail "upgrade exited $rc: $out"
fin=$(tail -n 1 <<<"$out")
[[ $(jq -r .error.sqlstate <<<"$fin") == 55P03 ]] || fail "sqlstate: $fin"
[[ $(t_sql "$db" "SELECT count(*) FROM alembic_version") == 0 ]] || fail "a version row appeared"
[[ $(t_sql "$db" "SELECT to_regclass('lb_one') IS NULL") == t ]] || fail "lb_one was created"
release
ok "transactional step: the LOCK of the version table gives up (55P03), nothing changed"

t_expect 0 ctl a -q upgrade head
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == lb000001 ]] || fail "upgrade after release"

# ---- a non-transactional step: its running row is not written -------------
t_rev "$dir" lb000002 lb000001 'CREATE INDEX CONCURRENTLY lb_idx ON lb_one (id);' \
	'DROP INDEX CONCURRENTLY lb_idx;' 'transactional: false' >/dev/null
t_expect 0 ctl a -q reload
before=$(hist)
hold
rc=0
out=$(timeout 20 "$MIGRATECTL" -s "$(t_sock a)" --json upgrade head 2>/dev/null) || rc=$?
((rc != 124)) || fail "non-transactional upgrade waited without bound"
((rc == 1)) || fail "non-transactional upgrade exited $rc: $out"
[[ $(jq -r .error.sqlstate <<<"$(tail -n 1 <<<"$out")") == 55P03 ]] || fail "nt sqlstate: $out"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'running'") == 0 ]] ||
	fail "a running row was written"
[[ $(t_sql "$db" "SELECT to_regclass('lb_idx') IS NULL") == t ]] || fail "lb_idx was created"
release
t_state_is a behind || fail "state after the refused nt step: $(t_field a .result.state)"
((before < $(hist))) || fail "no failed history row"
ok "non-transactional step: bookkeeping LOCK bounded, nothing ran, not dirty"

# ---- stamp ----------------------------------------------------------------
hold
rc=0
out=$(timeout 20 "$MIGRATECTL" -s "$(t_sock a)" --json stamp base 2>/dev/null) || rc=$?
((rc != 124)) || fail "stamp waited without bound"
((rc == 75)) || fail "stamp exited $rc, expected 75 (busy): $out"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == lb000001 ]] || fail "stamp changed rows"
release
ok "stamp: bounded, busy (75), rows unchanged"

t_expect 0 ctl a -q upgrade head
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == lb000002 ]] || fail "final upgrade"
t_stop a
ok "after the lock is released everything applies"
