#!/usr/bin/env bash
# Re-planning runs the plan's guard again (issue 9, defect 4): when a
# foreign writer adds a version row that has no migration file while a
# plan runs, the plan stops at its next step with state ahead, and the
# foreign row is never deleted by the plan's version changes. A foreign
# change the files know (another runner applied a step) is re-planned
# from and the plan goes on.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" rg000001 none 'CREATE TABLE rg_one (id int);' 'DROP TABLE rg_one;' >/dev/null
t_rev "$dir" rg000002 rg000001 'CREATE TABLE rg_two (id int); SELECT pg_sleep(1.5);' 'DROP TABLE rg_two;' >/dev/null
t_rev "$dir" rg000003 rg000002 'CREATE TABLE rg_three (id int);' 'DROP TABLE rg_three;' >/dev/null

rows() {
	t_sql "$db" "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
}
running_is() {
	[[ $(t_json a status | jq -r '.result.running.revision // empty') == "$1" ]]
}

t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind

# ---- a row with no file appears during rg000002 -----------------------------
t_json a upgrade head >"$T_TMP/up.out" &
up=$!
t_wait_for 10 running_is rg000002
# waits for rg000002's lock on the version table, then lands before rg000003
t_sql "$db" "INSERT INTO alembic_version VALUES ('zz999999')"
rc=0
wait "$up" || rc=$?
fin=$(tail -n 1 "$T_TMP/up.out")
((rc == 2)) || fail "upgrade exited $rc, expected 2 (ahead): $fin"
[[ $(jq -r .error.code <<<"$fin") == revision_not_found ]] || fail "error: $fin"
[[ $(jq -r .error.message <<<"$fin") == *zz999999* ]] || fail "message does not name the row: $fin"
[[ $(rows) == rg000002,zz999999 ]] || fail "rows: $(rows) (the foreign row must stay)"
[[ $(t_sql "$db" "SELECT to_regclass('rg_three') IS NULL") == t ]] || fail "rg000003 ran"
t_state_is a ahead || fail "state: $(t_field a .result.state)"
ok "a row with no file added mid-plan: the plan stops (ahead), the row stays"

# ---- a change the files know: re-planned, the plan goes on ------------------
t_sql "$db" "DELETE FROM alembic_version WHERE version_num = 'zz999999'"
t_expect 0 ctl a -q downgrade base
t_json a upgrade head >"$T_TMP/up2.out" &
up=$!
t_wait_for 10 running_is rg000002
# another runner "applies" rg000003 by hand right after rg000002 commits
t_sql "$db" "BEGIN; LOCK alembic_version IN EXCLUSIVE MODE; CREATE TABLE rg_three (id int); UPDATE alembic_version SET version_num = 'rg000003'; COMMIT;"
rc=0
wait "$up" || rc=$?
((rc == 0)) || fail "upgrade after a known foreign step exited $rc: $(tail -n 1 "$T_TMP/up2.out")"
[[ $(rows) == rg000003 ]] || fail "rows: $(rows)"
grep -q "re-planned, 0 step(s) left" "$T_TMP/a.log" || fail "no re-plan in the log"
t_stop a
ok "a foreign step the files know: re-planned from it, nothing applied twice"
