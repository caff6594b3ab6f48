#!/usr/bin/env bash
# `migratectl cancel` from another shell stops a running step (here a
# SELECT pg_sleep(3600)) in the middle of its statement: the upgrade exits 1
# with `cancelled` (SQLSTATE 57014), the revision leaves nothing, the version
# row is unchanged, and a request queued behind it still runs. Ctrl-C
# (SIGINT) of the upgrading client cancels too. The sleep outlasts every
# client's timeout(1) of 60 s, so an upgrade that ends at all was cancelled
# mid-statement: no bound on how fast.
# shellcheck disable=SC2154 # background pids are set through printf -v
source "$TOP_SRCDIR/tests/lib/daemon.sh"

versions() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
sleeping() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3600)%' AND state = 'active'") == 1 ]]
}
# bg VAR ARGS...: migratectl -s a ARGS in the background (pid in VAR,
# output in $T_TMP/VAR.{out,err,rc}).
bg() {
	local var=$1
	shift
	{
		rc=0
		timeout 60 "$MIGRATECTL" -s "$(t_sock a)" "$@" >"$T_TMP/$var.out" \
			2>"$T_TMP/$var.err" || rc=$?
		echo "$rc" >"$T_TMP/$var.rc"
	} &
	printf -v "$var" %s $!
}
# reap VAR: wait for it; rc, out, err set.
reap() {
	wait "${!1}" || true
	rc=$(cat "$T_TMP/$1.rc")
	out=$(cat "$T_TMP/$1.out")
	err=$(cat "$T_TMP/$1.err")
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none 'CREATE TABLE base_t (id int);' 'DROP TABLE base_t;' >/dev/null
t_rev "$dir" bbbb0002 aaaa0001 "CREATE TABLE slow_t (id int);
INSERT INTO slow_t VALUES (1);
SELECT pg_sleep(3600);
CREATE TABLE slow_after (id int);" 'DROP TABLE slow_after; DROP TABLE slow_t;' >/dev/null
# Another branch from aaaa0001: a good target that does not need bbbb0002.
t_rev "$dir" cccc0002 aaaa0001 'CREATE TABLE other_t (id int);' 'DROP TABLE other_t;' >/dev/null
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
t_expect 0 ctl a -q upgrade aaaa0001
[[ $(versions) == aaaa0001 ]] || fail "setup: $(versions)"

# ---- nothing to cancel -------------------------------------------------------
out=$(t_json a cancel)
[[ $(jq -c .result.cancelled <<<"$out") == false ]] || fail "idle cancel: $out"

# ---- cancel from another shell ------------------------------------------------
bg up --json upgrade bbbb0002
t_wait_for 10 sleeping
# Reads answer while the step runs, and show it: the reply names the running
# step, and the step still runs after it (answered during, not after).
st=$(t_json a status)
[[ $(jq -r .result.running.revision <<<"$st") == bbbb0002 ]] || fail "running: $st"
[[ $(jq -r .result.running.op <<<"$st") == upgrade ]] || fail "running: $st"
sleeping || fail "the step ended before status answered"
kill -0 "$up" 2>/dev/null || fail "the upgrade ended before status answered"

res=$(t_json a cancel)
[[ $(jq -c '[.result.cancelled, .result.revision]' <<<"$res") == '[true,"bbbb0002"]' ]] ||
	fail "cancel: $res"
reap up
((rc == 1)) || fail "cancelled upgrade exited $rc: $out $err"
[[ $(tail -n 1 <<<"$out" | jq -r .error.code) == cancelled ]] ||
	fail "cancelled upgrade: $out"
grep -q cancelled <<<"$err" || fail "stderr: $err"
# the statement itself was cancelled (query_canceled), not the plan after it
jq -r 'select(.event == "step_failed") | .sqlstate' <<<"$out" | grep -qx 57014 ||
	fail "no step_failed with SQLSTATE 57014: $out"
[[ $(versions) == aaaa0001 ]] || fail "version rows: $(versions)"
[[ $(t_sql "$db" "SELECT (to_regclass('slow_t') IS NULL AND to_regclass('slow_after') IS NULL)::text") == true ]] ||
	fail "objects of the cancelled revision exist"
[[ $(t_sql "$db" "SELECT outcome FROM migrated_history WHERE revision = 'bbbb0002'") == failed ]] ||
	fail "history: $(t_sql "$db" "SELECT revision, outcome, error FROM migrated_history")"
! sleeping || fail "the sleep still runs in the database"
st=$(t_json a status --fresh)
[[ $(jq -c '[.result.running, .result.state, .result.role]' <<<"$st") == '[null,"behind","leader"]' ]] ||
	fail "status after cancel: $st"
ok "cancel: upgrade exits 1 (cancelled, 57014), nothing left, version unchanged"

# ---- the queue goes on ------------------------------------------------------
bg up2 -q upgrade bbbb0002
t_wait_for 10 sleeping
bg other -q upgrade cccc0002 # queued behind the running step
sleep 0.5
kill -0 "$other" 2>/dev/null || fail "the queued upgrade did not wait: $(cat "$T_TMP/other.err")"
t_expect 0 ctl a -q cancel
reap up2
((rc == 1)) || fail "second cancelled upgrade exited $rc: $err"
reap other
((rc == 0)) || fail "queued upgrade cccc0002 exited $rc: $err"
[[ $(versions) == cccc0002 ]] || fail "version rows after the queued upgrade: $(versions)"
[[ $(t_sql "$db" "SELECT (to_regclass('other_t') IS NOT NULL AND to_regclass('slow_t') IS NULL)::text") == true ]] ||
	fail "tables after the queued upgrade"
ok "a request queued behind the cancelled one still runs"

# ---- a following upgrade works ----------------------------------------------
t_expect 0 ctl a -q downgrade aaaa0001
t_expect 0 ctl a -q upgrade cccc0002
[[ $(versions) == cccc0002 ]] || fail "versions: $(versions)"
ok "later upgrades work"

# ---- Ctrl-C of the upgrading client ------------------------------------------
bg up3 upgrade bbbb0002
t_wait_for 10 sleeping
# Interrupt migratectl itself (not the timeout(1) wrapping it).
cpid=$(pgrep -f "^$MIGRATECTL -s $(t_sock a) upgrade bbbb0002\$")
[[ $cpid =~ ^[0-9]+$ ]] || fail "client pid: '$cpid'"
kill -INT "$cpid"
reap up3
grep -q cancel <<<"$err" || fail "Ctrl-C stderr: $err"
((rc == 1)) || fail "Ctrl-C'd upgrade exited $rc: $err"
t_wait_for 5 eval '! sleeping'
t_wait_for 5 eval '[[ $(t_field a .result.running) == null ]]'
[[ $(versions) == cccc0002 ]] || fail "versions after Ctrl-C: $(versions)"
[[ $(t_sql "$db" "SELECT to_regclass('slow_t') IS NULL") == t ]] ||
	fail "slow_t exists after Ctrl-C"
t_stop a
ok "Ctrl-C cancels the running upgrade"
