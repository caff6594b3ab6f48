#!/usr/bin/env bash
# Branches and merges, as in Alembic: two branches from one root make
# `upgrade head` a multiple_heads error (exit 2) naming both, `upgrade heads`
# applies both (two version rows), `migratectl merge` (offline) writes a
# merge revision that `upgrade head` applies (one version row); `downgrade -1`
# from a merge is ambiguous (exit 2); downgrading one branch keeps the other.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

versions() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
tables() {
	t_sql "$db" "SELECT coalesce(string_agg(tablename, ',' ORDER BY tablename), '') FROM pg_tables WHERE schemaname = '$T_SCHEMA' AND tablename NOT IN ('alembic_version', 'migrated_history', 'migrated_schema')"
}
# code_of EXPECTED_EXIT ARGS...: run migratectl --json on daemon a, check the
# exit status, print the error code of the final line.
code_of() {
	local want=$1 rc=0 out
	shift
	out=$(t_json a "$@") || rc=$?
	((rc == want)) || fail "$* exited $rc, expected $want: $out"
	tail -n 1 <<<"$out" | jq -r '.error.code // "none"'
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0000 none 'CREATE TABLE root_t (id int);' 'DROP TABLE root_t;' >/dev/null
t_rev "$dir" bbbb0001 aaaa0000 'CREATE TABLE b1_t (id int);' 'DROP TABLE b1_t;' >/dev/null
t_rev "$dir" bbbb0002 bbbb0001 'CREATE TABLE b2_t (id int);' 'DROP TABLE b2_t;' >/dev/null
t_rev "$dir" cccc0001 aaaa0000 'CREATE TABLE c1_t (id int);' 'DROP TABLE c1_t;' >/dev/null

t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
[[ $(t_field a '.result.heads | sort | join(",")') == bbbb0002,cccc0001 ]] ||
	fail "heads: $(t_field a .result.heads)"

# ---- upgrade head with two heads -------------------------------------------
rc=0
ctl a upgrade head >/dev/null 2>"$T_TMP/err" || rc=$?
((rc == 2)) || fail "upgrade head exited $rc"
grep -q multiple_heads "$T_TMP/err" || fail "stderr: $(cat "$T_TMP/err")"
grep -q bbbb0002 "$T_TMP/err" && grep -q cccc0001 "$T_TMP/err" ||
	fail "error does not name both heads: $(cat "$T_TMP/err")"
out=$(t_json a upgrade head) || true
[[ $(jq -r .error.code <<<"$out") == multiple_heads ]] || fail "--json: $out"
# The message names the heads (SPEC §2; doc/protocol.md: no "heads" field).
jq -r .error.message <<<"$out" | grep -q 'bbbb0002.*cccc0001' ||
	fail "--json message does not name both heads: $out"
[[ -z $(versions) && -z $(tables) ]] || fail "changed: $(versions) / $(tables)"
ok "upgrade head with two heads: exit 2, multiple_heads naming both"

# ---- upgrade heads ---------------------------------------------------------
t_expect 0 ctl a -q upgrade heads
[[ $(versions) == bbbb0002,cccc0001 ]] || fail "versions: $(versions)"
[[ $(tables) == b1_t,b2_t,c1_t,root_t ]] || fail "tables: $(tables)"
[[ $(ctl a current | sort) == $'bbbb0002 (head)\ncccc0001 (head)' ]] ||
	fail "current: $(ctl a current)"
t_expect 0 ctl a check >/dev/null
[[ $(t_field a .result.state) == current ]] || fail "state not current"
# ±N needs exactly one current revision.
[[ $(code_of 2 downgrade -1) == multiple_heads ]] || fail "downgrade -1 with two heads"
ok "upgrade heads applies both branches; current prints two rows"

# ---- merge (offline) -------------------------------------------------------
out=$(MIGRATIONS_DIR=/nonexistent "$MIGRATECTL" --json merge -m "join the branches" \
	bbbb0002 cccc0001 --dir "$dir")
merge=$(jq -r '.revision // .result.revision' <<<"$out")
mfile=$(jq -r '.path // .result.path' <<<"$out")
[[ $merge =~ ^[0-9a-f]{12}$ ]] || fail "merge revision id: $out"
[[ -f $mfile && $mfile == "$dir"/${merge}_*.sql ]] || fail "merge file: $out"
grep -Eq '^-- down_revision: *bbbb0002, *cccc0001$' "$mfile" ||
	fail "merge file header: $(cat "$mfile")"
grep -q '^-- message: join the branches$' "$mfile" || fail "merge message: $(cat "$mfile")"
t_expect 0 "$MIGRATECTL" lint --dir "$dir" >/dev/null
# The daemon does not see it before a reload.
[[ $(t_field a .result.state) == current ]] || fail "state changed before reload"
t_expect 0 ctl a -q reload
t_wait_for 5 t_state_is a behind
[[ $(t_field a '.result.heads | join(",")') == "$merge" ]] ||
	fail "heads after reload: $(t_field a .result.heads)"
t_expect 0 ctl a -q upgrade head
[[ $(versions) == "$merge" ]] || fail "versions after merge: $(versions)"
[[ $(ctl a current) == "$merge (head)" ]] || fail "current: $(ctl a current)"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = '$merge' AND operation = 'upgrade' AND outcome = 'ok'") == 1 ]] ||
	fail "merge history row missing"
ctl a history | grep -q "^bbbb0002, cccc0001 -> $merge (head)" ||
	fail "history: $(ctl a history)"
ok "merge revision written offline, reloaded, applied: one version row"

# ---- downgrades through the merge -----------------------------------------
[[ $(code_of 2 downgrade -1) == ambiguous_revision ]] ||
	fail "downgrade -1 from the merge is not ambiguous_revision"
[[ $(versions) == "$merge" ]] || fail "versions changed: $(versions)"
ok "downgrade -1 from a merge: exit 2, ambiguous_revision"

t_expect 0 ctl a -q downgrade bbbb0002
[[ $(versions) == bbbb0002,cccc0001 ]] || fail "below the merge: $(versions)"
t_expect 0 ctl a -q downgrade bbbb0001
[[ $(versions) == bbbb0001,cccc0001 ]] || fail "one branch down: $(versions)"
[[ $(tables) == b1_t,c1_t,root_t ]] || fail "tables: $(tables)"
ok "downgrading one branch keeps the other applied"

t_expect 0 ctl a -q upgrade head
[[ $(versions) == "$merge" ]] || fail "back to the merge: $(versions)"
[[ $(tables) == b1_t,b2_t,c1_t,root_t ]] || fail "tables: $(tables)"
t_expect 0 ctl a -q downgrade base
[[ -z $(versions) && -z $(tables) ]] || fail "base: $(versions) / $(tables)"
t_stop a
ok "upgrade head back through the merge, downgrade base removes everything"
