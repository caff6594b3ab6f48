#!/usr/bin/env bash
# upgrade --sql (issue 9, item 14): the script runs in psql as it is -- a
# statement whose last line ends in a -- comment gets its ';' on a line of
# its own, not inside the comment -- and a large plan (2,000 revisions of
# 10 statements) renders in one pass: the reply comes at once and status
# is never stuck behind it (it took minutes, quadratic, before).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" dr000001 none 'CREATE TABLE dr_a (id int) -- the first table
;
CREATE TABLE dr_b (id int); -- after the terminator
SELECT 1 AS "--not a comment"' 'DROP TABLE dr_b; DROP TABLE dr_a;' >/dev/null
t_rev "$dir" dr000002 dr000001 'INSERT INTO dr_a VALUES (1) -- one
' 'DELETE FROM dr_a;' >/dev/null

t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
out=$(t_json a upgrade --sql) || fail "upgrade --sql: $out"
jq -r .result.sql <<<"$out" >"$T_TMP/plan.sql"
grep -q -- '-- the first table;' "$T_TMP/plan.sql" && fail "';' inside a comment: $(cat "$T_TMP/plan.sql")"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$T_TMP/plan.sql" >/dev/null 2>"$T_TMP/psql.err" ||
	fail "psql could not run the --sql script: $(cat "$T_TMP/psql.err")"
[[ $(t_sql "$db" "SELECT (to_regclass('dr_b') IS NOT NULL)::text || ' ' || (SELECT count(*) FROM dr_a) || ' ' || (SELECT string_agg(version_num, ',') FROM alembic_version)") == "true 1 dr000002" ]] ||
	fail "the script did not do the plan: $(cat "$T_TMP/plan.sql")"
t_state_is a current || fail "state after psql ran the script: $(t_field a .result.state)"
t_stop a
ok "--sql: statements ending in -- comments are terminated on their own line; psql runs it"

# ---- a large plan --------------------------------------------------------------
db=$(t_newdb)
big=$(t_migdir)
python3 - "$big" <<'PYEOF'
import sys
d = sys.argv[1]
prev = "none"
pad = "x" * 150
for i in range(1, 2001):
    rev = "bg%06d" % i
    stmts = "\n".join("SELECT %d AS n, '%s' AS pad;" % (k, pad) for k in range(10))
    with open("%s/%s_big.sql" % (d, rev), "w") as f:
        f.write("-- revision: %s\n-- down_revision: %s\n-- message: big %d\n\n-- +upgrade\n%s\n\n-- +downgrade\nSELECT 1;\n" % (rev, prev, i, stmts))
    prev = rev
PYEOF
t_start b "$db" "$big" --no-auto-migrate
t_wait_for 20 t_state_is b behind
# The limits are not speed targets (bench/ has those): timeout 60 and 10
# are ten times and more what a loaded ASan build takes, and only catch the
# quadratic renderer of before, which took minutes and held the loop.
start=$(date +%s%N)
timeout 60 "$MIGRATECTL" -s "$(t_sock b)" --json upgrade --sql >"$T_TMP/big.out" 2>/dev/null &
dry=$!
sleep 0.2
timeout 10 "$MIGRATECTL" -s "$(t_sock b)" -q status >/dev/null ||
	fail "status did not answer within 10 s while --sql rendered"
rc=0
wait "$dry" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
((rc == 0)) || fail "upgrade --sql of 2,000 revisions exited $rc after $ms ms"
[[ $(jq -r '.result.steps | length' "$T_TMP/big.out") == 2000 ]] || fail "steps"
[[ $(jq -r .result.sql "$T_TMP/big.out" | grep -c "AS pad;") == 20000 ]] || fail "statements"
t_stop b
ok "--sql of 2,000 revisions x 10 statements: $ms ms; status answered meanwhile"
