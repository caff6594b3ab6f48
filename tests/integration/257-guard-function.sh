#!/usr/bin/env bash
# The per-step guard (this backend holds the lock, the version rows are
# the plan's) is a function in pg_temp created at the start of each plan,
# not a DO block compiled for every revision (issue 13), where the role
# may create temporary objects (PostgreSQL gives PUBLIC that privilege);
# without it (the harness's least-privilege role, SPEC §3's minimum) the DO
# block does the same job. A revision that discards temporary objects
# fails the next step; the next plan creates the function again. Guard
# semantics: 360-replan-guard.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

guard_fns() {
	t_sql_su "$1" "SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n
		ON n.oid = p.pronamespace WHERE p.proname = 'migrated_guard' AND n.nspname LIKE 'pg\_temp\_%'"
}
dbname() { sed -E 's|^postgresql:///([^?]*).*|\1|' <<<"$1"; }

dir=$(t_migdir)
t_rev "$dir" g1 none "CREATE TABLE guard_1 (id int);" "DROP TABLE guard_1;" >/dev/null
t_rev "$dir" g2 g1 "CREATE TABLE guard_2 (id int);" "DROP TABLE guard_2;" >/dev/null
t_rev "$dir" g3 g2 "DISCARD TEMP;" "SELECT 1;" >/dev/null
t_rev "$dir" g4 g3 "CREATE TABLE guard_4 (id int);" "DROP TABLE guard_4;" >/dev/null

db=$(t_newdb)
t_sql_su "$db" "GRANT TEMPORARY ON DATABASE \"$(dbname "$db")\" TO PUBLIC" >/dev/null
t_start a "$db" "$dir" --no-auto-migrate
ctl a -q upgrade g2 || fail "upgrade g2 failed"
[[ $(guard_fns "$db") == 1 ]] || fail "no pg_temp.migrated_guard after a plan: $(guard_fns "$db")"
ok "the guard is a pg_temp function of the lock session"

rc=0
out=$(ctl a upgrade head 2>&1) || rc=$?
((rc == 1)) || fail "upgrade past DISCARD TEMP exited $rc: $out"
grep -q migrated_guard <<<"$out" || fail "the failure does not name the guard: $out"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == g3 ]] || fail "not at g3 after the failure"
ctl a -q upgrade head || fail "the next plan did not recreate the guard"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == g4 ]] || fail "not at g4"
ok "DISCARD TEMP fails the next step only; the next plan creates the guard again"
t_stop a

su=$(t_sql "$db" "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
if [[ $su == t ]]; then
	echo "# the test role is a superuser: the no-TEMPORARY case cannot be shown"
	exit 0
fi
db=$(t_newdb)
t_sql_su "$db" "REVOKE TEMPORARY ON DATABASE \"$(dbname "$db")\" FROM PUBLIC" >/dev/null
t_start b "$db" "$dir" --no-auto-migrate
ctl b -q upgrade g2 || fail "upgrade without TEMPORARY failed: $(tail -5 "$T_TMP/b.log")"
grep -q 'guard: a DO block per step' "$T_TMP/b.log" || fail "the log does not say the DO block guards"
grep -qi 'permission denied' "$T_TMP/b.log" && fail "an error for the missing privilege: $(grep -i 'permission denied' "$T_TMP/b.log")"
[[ $(guard_fns "$db") == 0 ]] || fail "a guard function without TEMPORARY?"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == g2 ]] || fail "not at g2"
ok "without TEMPORARY the DO block guards each step"
