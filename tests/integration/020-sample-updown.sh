#!/usr/bin/env bash
# The sample schema through the daemon: auto-migrate to head, relative and
# prefix targets, downgrade to base and back, history and current output.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
[[ $(ctl a current) == "212c31d97f11 (head)" ]] || fail "current: $(ctl a current)"
ok "auto-migrated to head"

ctl a downgrade -1 >/dev/null
[[ $(ctl a current) == "d382069dacef" ]] || fail "after -1: $(ctl a current)"
ctl a downgrade 2e01 >/dev/null
[[ $(ctl a current) == "2e0140e533a8" ]] || fail "after prefix: $(ctl a current)"
ctl a upgrade +1 >/dev/null
[[ $(ctl a current) == "d382069dacef" ]] || fail "after +1: $(ctl a current)"
ok "relative and prefix targets"

ctl a downgrade base >/dev/null
[[ -z $(ctl a current) ]] || fail "base: $(ctl a current)"
n=$(t_sql "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = '$T_SCHEMA' AND tablename NOT IN ('alembic_version', 'migrated_history', 'migrated_schema')")
[[ $n == 0 ]] || fail "$n application tables left at base"
t_expect 3 ctl a status --check
ctl a upgrade head >/dev/null
t_expect 0 ctl a status --check
[[ $(t_sql "$db" "SELECT count(*) FROM system_config") -gt 0 ]] || fail "no seed rows"
ok "downgrade base and upgrade head"

ctl a history | head -1 | grep -q '^d382069dacef -> 212c31d97f11 (head)' ||
	fail "history: $(ctl a history)"
rows=$(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'ok'")
((rows >= 9)) || fail "only $rows history rows"
t_expect 2 ctl a upgrade nosuchrev
t_expect 2 ctl a downgrade
t_stop a
ok "history, errors, clean stop"
