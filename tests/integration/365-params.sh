#!/usr/bin/env bash
# Values read from the database go back to it as parameters, never spliced
# into SQL text (issue 9, defect 5): version rows that hold quotes, commas,
# braces, backslashes, the word NULL or an attempted injection are carried
# through the row check and the version change of a stamp as data, and the
# stamp replaces them exactly.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" pa000001 none 'CREATE TABLE pa_one (id int);' 'DROP TABLE pa_one;' >/dev/null
t_rev "$dir" pa000002 pa000001 'CREATE TABLE pa_two (id int);' 'DROP TABLE pa_two;' >/dev/null

t_start a "$db" "$dir" --no-auto-migrate
t_expect 0 ctl a -q upgrade pa000001
t_sql "$db" "CREATE TABLE victim (id int)"
# a foreign writer leaves rows no migration file knows
t_sql "$db" "INSERT INTO alembic_version VALUES (\$\$it's\$\$), ('a,b'), (\$\$x\"y\\z\$\$), ('{}'), ('NULL'), (\$\$0');DROP TABLE victim;--\$\$)"
[[ $(t_sql "$db" "SELECT count(*) FROM alembic_version") == 7 ]] || fail "setup"
t_wait_for 10 t_state_is a ahead
ok "foreign rows with quotes, commas, braces, backslashes, NULL: state ahead"

# upgrade refuses (ahead) without touching anything
t_expect 2 ctl a -q upgrade head 2>/dev/null
[[ $(t_sql "$db" "SELECT count(*) FROM alembic_version") == 7 ]] || fail "upgrade changed rows"

rc=0
out=$(t_json a stamp pa000001) || rc=$?
((rc == 0)) || fail "stamp with hostile rows exited $rc: $out"
[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == pa000001 ]] ||
	fail "rows after stamp: $(t_sql "$db" "SELECT string_agg(version_num, '|') FROM alembic_version")"
[[ $(t_sql "$db" "SELECT to_regclass('victim') IS NOT NULL") == t ]] || fail "victim was dropped"
[[ $(jq -c '.result.from | length' <<<"$out") == 7 ]] || fail "stamp result: $out"
jq -e '.result.from | index("x\"y\\z") != null and index("NULL") != null' <<<"$out" >/dev/null ||
	fail "stamp result lost a row's text: $out"
t_state_is a behind || fail "state after stamp: $(t_field a .result.state)"
ok "stamp: the row check and the version change take the rows as data"

# and the plan's own check: rows round-trip through upgrade and downgrade
t_expect 0 ctl a -q upgrade head
t_expect 0 ctl a -q downgrade base
t_expect 0 ctl a -q upgrade head
[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == pa000002 ]] ||
	fail "rows after downgrade/upgrade"
t_stop a
ok "upgrade, downgrade base, upgrade head"
