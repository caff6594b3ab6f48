#!/usr/bin/env bash
# A no-op upgrade answers from memory after one query of the version rows
# when nothing announced a change (issue 13); a foreign writer, who
# announces nothing, is still seen: rows that differ from memory mean a
# full refresh and a real plan. No timing here.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" r1 none "CREATE TABLE noop_a (id int);" "DROP TABLE noop_a;" >/dev/null
t_rev "$dir" r2 r1 "CREATE TABLE noop_b (id int);" "DROP TABLE noop_b;" >/dev/null
t_start d "$db" "$dir" --no-auto-migrate
ctl d -q upgrade head || fail "first upgrade failed"

out=$(t_json d upgrade head) || fail "no-op upgrade failed: $out"
[[ $(jq -c '.result.steps' <<<"$out") == '[]' ]] || fail "no-op upgrade ran steps: $out"
[[ $(jq -c '.result.to' <<<"$out") == '["r2"]' ]] || fail "no-op upgrade: $out"
ok "no-op upgrade at head: no steps"

# a foreign writer steps the version row back (and undoes r2) without a
# NOTIFY: the daemon's memory still says r2
t_sql "$db" "BEGIN; DROP TABLE noop_b; UPDATE alembic_version SET version_num = 'r1'; COMMIT" >/dev/null
[[ $(t_field d '.result.current | join(",")') == r2 ]] ||
	echo "# the periodic refresh already saw the foreign change"
out=$(t_json d upgrade head) || fail "upgrade after the foreign change failed: $out"
[[ $(jq -c '[.result.steps[].revision]' <<<"$out") == '["r2"]' ]] ||
	fail "the foreign change was not seen: $out"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == r2 ]] || fail "not at r2"
t_sql "$db" "SELECT 1 FROM noop_b" >/dev/null || fail "r2 was not applied again"
ok "a version row changed without NOTIFY is seen: r2 applied again"
