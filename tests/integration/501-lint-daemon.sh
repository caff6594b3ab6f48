#!/usr/bin/env bash
# The daemon lints every plan (SPEC §9): lint = refuse stops a plan with an
# error-level finding before anything runs (lint_refused, exit 1) unless
# the revision allows the rule; lint = warn sends the findings as a "lint"
# event and runs the plan; before a step that takes ACCESS EXCLUSIVE on an
# existing table, the sessions that would block it are reported, with
# lint = off too (no findings then).
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" ld0000000001 none 'CREATE TABLE t (id int);
INSERT INTO t SELECT generate_series(1, 20000);
ANALYZE t;' 'DROP TABLE t;' >/dev/null
f2=$(t_rev "$dir" ld0000000002 ld0000000001 'CREATE INDEX t_id_idx ON t (id);' \
	'DROP INDEX t_id_idx;')
conf=$T_TMP/lint.conf
echo 'lint = refuse' >"$conf"

t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind
ctl a upgrade ld0000000001 >/dev/null || fail "the first revision is clean"
has_index() { [[ $(t_sql "$db" "SELECT count(*) FROM pg_indexes WHERE indexname = 't_id_idx'") == 1 ]]; }

# ---- refuse ------------------------------------------------------------------------
rc=0
out=$(ctl a --json upgrade 2>/dev/null) || rc=$?
((rc == 1)) || fail "refused upgrade exited $rc, expected 1: $out"
fin=$(tail -n 1 <<<"$out")
[[ $(jq -r .error.code <<<"$fin") == lint_refused ]] || fail "error: $fin"
[[ $(jq -r .error.file <<<"$fin") == "$f2" && $(jq -r .error.line <<<"$fin") == 6 ]] ||
	fail "the error names the statement: $fin"
jq -s -e 'map(select(.event == "lint"))[0].findings[0] |
	.rule == "index-not-concurrent" and .severity == "error" and
	(.message | test("~20000 rows"))' <<<"$out" >/dev/null ||
	fail "the lint event carries the finding with the table's size: $out"
! has_index || fail "a refused plan ran"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == ld0000000001 ]] ||
	fail "a refused plan moved the version"
{ ctl a upgrade 2>&1 || true; } | grep -q 'lint refused the plan' ||
	fail "human error line"
ok "lint = refuse: lint_refused before anything runs, the finding in a lint event"

# ---- lint_allow lets it through -------------------------------------------------
sed -i 's/^-- message: .*/&\n-- lint_allow: index-not-concurrent t is written by a nightly job only/' "$f2"
ctl a reload >/dev/null || fail "reload"
ctl a upgrade >/dev/null || fail "allowed upgrade"
has_index || fail "the allowed plan did not run"
ok "lint_allow: the same plan runs"

# ---- warn: the plan runs, the findings are events and log lines --------------------
t_stop a
# lock_retries: the blocked step keeps retrying (300ms lock_timeout plus a
# backoff up to 5s) for as long as a loaded machine takes to check the
# event and the status; with the default 3 it could give up first.
printf 'lint = warn\nlock_retries = 30\n' >"$conf"
f3=$(t_rev "$dir" ld0000000003 ld0000000002 'CREATE INDEX t_id2_idx ON t (id);' \
	'DROP INDEX t_id2_idx;')
t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind
out=$(ctl a --json upgrade) || fail "warn upgrade: $out"
jq -s -e 'map(select(.event == "lint"))[0].findings[0].file' <<<"$out" \
	>/dev/null ||
	fail "no lint event: $out"
grep -q "lint: $f3:6:1: error index-not-concurrent" "$T_TMP/a.log" || fail "no log line"
ok "lint = warn: the plan runs; findings as a lint event and in the log"

# ---- blockers ------------------------------------------------------------------------
# blocked_upgrade REV: with a session of application lint-blocker holding
# an ACCESS SHARE lock on t (for longer than REV's 300ms lock_timeout),
# upgrade to REV; the step_blockers event names it, so does the status;
# then the blocker goes and the upgrade ends. The upgrade's JSON lines are
# left in $T_TMP/up.json.
blocker_holds() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lint-blocker' AND state = 'active'") == 1 ]]
}
seen() { grep -q '"event":"step_blockers"' "$T_TMP/up.json"; }
blocked_upgrade() {
	local blocker up ev st
	PGAPPNAME=lint-blocker psql -X -q -d "$db" \
		-c "BEGIN; SELECT count(*) FROM t; SELECT pg_sleep(60); COMMIT;" >/dev/null 2>&1 &
	blocker=$!
	t_wait_for 10 blocker_holds
	sleep 0.5	# older than the revision's lock_timeout
	# emptied here, not by the background job's redirection: that runs
	# later, and seen() could read the previous call's event meanwhile
	: >"$T_TMP/up.json"
	ctl a --json upgrade "$1" >>"$T_TMP/up.json" 2>/dev/null &
	up=$!
	t_wait_for 10 seen || fail "no step_blockers event: $(cat "$T_TMP/up.json")"
	ev=$(grep '"event":"step_blockers"' "$T_TMP/up.json" | head -n 1)
	[[ $(jq -r '.revision' <<<"$ev") == "$1" &&
		$(jq -r '.blockers[0].application' <<<"$ev") == lint-blocker &&
		$(jq -r '.blockers[0].table' <<<"$ev") == t &&
		$(jq -r '.blockers[0].mode' <<<"$ev") == AccessShareLock &&
		$(jq -r '.blockers[0].age_ms' <<<"$ev") -ge 300 ]] || fail "blockers: $ev"
	st=$(t_json a status)
	[[ $(jq -r '.result.running.blockers[0].application' <<<"$st") == lint-blocker ]] ||
		fail "status running.blockers: $st"
	t_sql "$db" "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'lint-blocker'" >/dev/null
	wait "$blocker" 2>/dev/null || true
	wait "$up" || fail "the upgrade failed after the blocker left: $(cat "$T_TMP/up.json")"
}
t_rev "$dir" ld0000000004 ld0000000003 'ALTER TABLE t ADD COLUMN c int;' \
	'ALTER TABLE t DROP COLUMN c;' 'lock_timeout: 300ms' >/dev/null
ctl a reload >/dev/null
blocked_upgrade ld0000000004
ok "before an ACCESS EXCLUSIVE step: the blocking session in a step_blockers event and in status"

# ---- lint = off: no findings, the blockers are still reported (SPEC §9) -------------
t_stop a
printf 'lint = off\nlock_retries = 30\n' >"$conf"
f5=$(t_rev "$dir" ld0000000005 ld0000000004 'ALTER TABLE t ADD COLUMN d int;
CREATE INDEX t_d_idx ON t (d);' 'DROP INDEX t_d_idx;
ALTER TABLE t DROP COLUMN d;' 'lock_timeout: 300ms')
t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is a behind
blocked_upgrade ld0000000005
! grep -q '"event":"lint"' "$T_TMP/up.json" ||
	fail "lint = off sent a lint event: $(cat "$T_TMP/up.json")"
! grep -q "lint: $f5" "$T_TMP/a.log" || fail "lint = off logged a finding"
ok "lint = off: no lint event or log line, the blockers report still comes"

# ---- a plan from base: an allow the plan does not need is not "unused" -------
# (the sample's lint_allow lines are needed on a database that already has
# documents; a plan that creates it in an earlier step gets no finding)
t_stop a
db2=$(t_newdb)
t_start s "$db2" "$(t_migdir sample)"
t_wait_for 15 t_state_is s current
grep -q "lint_allow" "$(t_migdir sample)"/*.sql || fail "the sample has no lint_allow line"
! grep -q "lint-allow-unused" "$T_TMP/s.log" ||
	fail "the daemon called a needed lint_allow unused: $(grep lint-allow-unused "$T_TMP/s.log")"
ok "a plan from base: no lint-allow-unused notes for allows other starts need"
