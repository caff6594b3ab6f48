#!/usr/bin/env bash
# Revision ids are compared byte by byte in SQL too (issue 9, defect 6): on
# a database whose collation orders '_' before digits (ICU en-US, unlike C),
# a plan over two branches whose version rows sort differently there
# applies without a spurious "changed under the plan" re-plan, and the
# rows the daemon reports are in byte order.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

if ! db=$(t_newdb "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" 2>/dev/null) &&
	! db=$(t_newdb "TEMPLATE template0 LC_COLLATE 'en_US.UTF-8' LC_CTYPE 'en_US.UTF-8'" 2>/dev/null); then
	t_skip "neither an ICU nor an en_US.UTF-8 database can be created here"
fi
order=$(t_sql "$db" "SELECT string_agg(x, ',' ORDER BY x) FROM (VALUES ('aa_1'), ('aa1b')) v(x)")
if [[ $order != aa_1,aa1b ]]; then
	t_skip "the database's collation orders these ids as C does ($order)"
fi

dir=$(t_migdir)
t_rev "$dir" cb000001 none 'CREATE TABLE co_base (id int);' 'DROP TABLE co_base;' >/dev/null
t_rev "$dir" aa_1 cb000001 'CREATE TABLE co_u1 (id int);' 'DROP TABLE co_u1;' >/dev/null
t_rev "$dir" aa1b cb000001 'CREATE TABLE co_1b (id int);' 'DROP TABLE co_1b;' >/dev/null
t_rev "$dir" aa_2 aa_1 'CREATE TABLE co_u2 (id int);' 'DROP TABLE co_u2;' >/dev/null
t_rev "$dir" aa1c aa1b 'CREATE TABLE co_1c (id int);' 'DROP TABLE co_1c;' >/dev/null

t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
rc=0
out=$(t_json a upgrade heads) || rc=$?
((rc == 0)) || fail "upgrade heads exited $rc: $(tail -n 1 <<<"$out")"
grep -q "changed under the plan" "$T_TMP/a.log" && fail "spurious re-plan: $(grep 'changed under' "$T_TMP/a.log")"
[[ $(tail -n 1 <<<"$out" | jq -c .result.to) == '["aa1c","aa_2"]' ]] ||
	fail "result rows not in byte order: $(tail -n 1 <<<"$out" | jq -c .result.to)"
[[ $(t_json a status --fresh | jq -c .result.current) == '["aa1c","aa_2"]' ]] ||
	fail "status rows: $(t_json a status | jq -c .result.current)"
[[ $(jq -r 'select(.event == "step_finished") | .revision' <<<"$out" | wc -l) == 5 ]] ||
	fail "steps: $out"
ok "two branches on an ICU database: 5 steps, no re-plan, rows in byte order"

# and back down: downgrade base walks both branches with two rows present
t_expect 0 ctl a -q downgrade base
grep -q "changed under the plan" "$T_TMP/a.log" && fail "spurious re-plan on downgrade"
[[ $(t_sql "$db" "SELECT count(*) FROM $T_SCHEMA.alembic_version") == 0 ]] || fail "rows left"
t_stop a
ok "downgrade base: no re-plan"
