#!/usr/bin/env bash
# Non-transactional revisions: CREATE INDEX CONCURRENTLY works and leaves a
# valid index; a failing one leaves the database dirty: status says so,
# every upgrade/downgrade exits 1 (dirty), check/status --check exit 4, a
# restarted daemon (auto-migrate on) re-runs nothing, and only
# `migratectl resolve REV --rolled-back|--applied` clears it.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

versions() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
hist() {
	t_sql "$db" "SELECT revision || ':' || operation || ':' || outcome FROM migrated_history ORDER BY id" |
		paste -sd' '
}
# snap: version rows and history in one query
snap() {
	t_sql "$db" "SELECT (SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version) || ' / ' || (SELECT string_agg(revision || ':' || operation || ':' || outcome, ' ' ORDER BY id) FROM migrated_history)"
}
# refused NAME: upgrade and downgrade exit 1 with code dirty, change nothing.
refused() {
	local args rc out before
	before=$(snap)
	for args in "upgrade head" "upgrade +1" "downgrade -1" "downgrade base"; do
		rc=0
		# shellcheck disable=SC2086
		out=$(t_json "$1" $args) || rc=$?
		((rc == 1)) || fail "$args exited $rc: $out"
		[[ $(tail -n 1 <<<"$out" | jq -r .error.code) == dirty ]] ||
			fail "$args: $out"
	done
	[[ $(snap) == "$before" ]] || fail "database changed: $before -> $(snap)"
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none "CREATE TABLE items (id int, v int);
INSERT INTO items SELECT g, g % 7 FROM generate_series(1, 1000) g;" \
	'DROP TABLE items;' >/dev/null
t_rev "$dir" bbbb0002 aaaa0001 \
	'CREATE INDEX CONCURRENTLY items_v_idx ON items (v);' \
	'DROP INDEX CONCURRENTLY items_v_idx;' 'transactional: false' >/dev/null
t_rev "$dir" cccc0003 bbbb0002 "CREATE TABLE nt_one (id int);
INSERT INTO no_such_table VALUES (1);
CREATE TABLE nt_three (id int);" 'DROP TABLE nt_three; DROP TABLE nt_one;' \
	'transactional: false' >/dev/null

t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
t_expect 0 ctl a -q upgrade bbbb0002
[[ $(versions) == bbbb0002 ]] || fail "version: $(versions)"
[[ $(t_sql "$db" "SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = 'items_v_idx'::regclass") == t ]] ||
	fail "items_v_idx is not valid"
[[ $(hist) == "aaaa0001:upgrade:ok bbbb0002:upgrade:ok" ]] || fail "history: $(hist)"
ok "transactional: false with CREATE INDEX CONCURRENTLY: index valid"

# ---- a failing non-transactional revision ----------------------------------
rc=0
ctl a upgrade head >/dev/null 2>"$T_TMP/err" || rc=$?
((rc == 1)) || fail "failing upgrade exited $rc"
grep -q '42P01' "$T_TMP/err" || fail "stderr: $(cat "$T_TMP/err")"
[[ $(versions) == bbbb0002 ]] || fail "version: $(versions)"
# Statement by statement, no transaction: the first statement stays, the
# third never ran.
[[ $(t_sql "$db" "SELECT (to_regclass('nt_one') IS NOT NULL)::text || (to_regclass('nt_three') IS NULL)::text") == truetrue ]] ||
	fail "nt_one should exist and nt_three not"
row=$(t_sql "$db" "SELECT outcome || '|' || coalesce(error, '') FROM migrated_history WHERE revision = 'cccc0003'")
[[ $row == failed\|*no_such_table* ]] || fail "cccc0003 history: $row"
st=$(t_json a status --fresh)
[[ $(jq -r .result.state <<<"$st") == dirty ]] || fail "state: $st"
[[ $(jq -r .result.dirty.revision <<<"$st") == cccc0003 ]] || fail "dirty: $st"
ctl a status | grep -q dirty || fail "human status: $(ctl a status)"
ok "failing non-transactional revision: state dirty, history row failed"

refused a
t_expect 4 ctl a status --check >/dev/null
t_expect 4 ctl a check >/dev/null
ok "upgrade/downgrade exit 1 (dirty); status --check and check exit 4"

# ---- never re-run by itself -------------------------------------------------
before=$(snap)
t_stop a
t_start b "$db" "$dir" # auto-migrate on
t_wait_for 10 t_state_is b dirty
[[ $(t_field b .result.role) == leader ]] || fail "b is not leader"
sleep 1
t_state_is b dirty || fail "b: state $(t_field b .result.state)"
[[ $(snap) == "$before" ]] || fail "restart re-ran something: $before -> $(snap)"
[[ $before == "bbbb0002 / "* ]] || fail "version: $before"
[[ $(t_sql "$db" "SELECT to_regclass('nt_three') IS NULL") == t ]] ||
	fail "nt_three was created"
refused b
t_stop b
ok "a restarted auto-migrating daemon leaves the dirty database alone"

# ---- resolve --rolled-back -------------------------------------------------
t_start c "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is c dirty
t_sql "$db" "DROP TABLE nt_one" # the operator undoes the half-done work
rc=0
out=$(t_json c resolve cccc0003 --rolled-back) || rc=$?
((rc == 0)) || fail "resolve --rolled-back exited $rc: $out"
[[ $(jq -r .result.as <<<"$out") == rolled-back ]] || fail "resolve: $out"
st=$(t_json c status --fresh)
[[ $(jq -r .result.state <<<"$st") == behind ]] || fail "state after resolve: $st"
[[ $(jq -r .result.dirty <<<"$st") == null ]] || fail "dirty after resolve: $st"
[[ $(versions) == bbbb0002 ]] || fail "version after resolve: $(versions)"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'cccc0003' AND operation = 'resolve' AND outcome = 'ok'") == 1 ]] ||
	fail "no resolve history row: $(hist)"
t_expect 3 ctl c check >/dev/null
ok "resolve --rolled-back: state behind, version row unchanged, resolve row"

# It fails again (dirty again); this time resolve it as applied.
t_expect 1 ctl c -q upgrade head 2>/dev/null
t_state_is c dirty || fail "not dirty after the second failure"
t_sql "$db" "CREATE TABLE nt_three (id int)" # the operator finishes the work
t_expect 0 ctl c -q resolve cccc0003 --applied
st=$(t_json c status --fresh)
[[ $(jq -r .result.state <<<"$st") == current ]] || fail "state after --applied: $st"
[[ $(versions) == cccc0003 ]] || fail "version after --applied: $(versions)"
t_expect 0 ctl c status --check >/dev/null
ok "resolve --applied: state current, version row = cccc0003"

# Changes work again.
t_expect 0 ctl c -q downgrade bbbb0002
[[ $(versions) == bbbb0002 ]] || fail "downgrade: $(versions)"
[[ $(t_sql "$db" "SELECT to_regclass('nt_one') IS NULL AND to_regclass('nt_three') IS NULL") == t ]] ||
	fail "downgrade of cccc0003 did not run"
t_stop c
ok "after resolve, downgrade works again"
