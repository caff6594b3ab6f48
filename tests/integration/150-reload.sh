#!/usr/bin/env bash
# Reloading the migrations directory: `migratectl reload` and SIGHUP. New
# files are applied (auto-migrate on); a broken directory is rejected with
# FILE:LINE and the old set kept, good new files in it included; once the
# broken file is gone a reload is accepted.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

rows() {
	t_sql "$1" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}

# table_exists DB NAME
table_exists() {
	[[ $(t_sql "$1" "SELECT to_regclass('$2') IS NOT NULL") == t ]]
}

db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
pid=$(t_pid a)
[[ $(t_field a .result.revisions) == 3 ]] || fail "revisions: $(t_field a .result.revisions)"

# ---- a new file, migratectl reload: applied --------------------------------
t_rev "$dir" rl0000000001 212c31d97f11 'CREATE TABLE reload_one (id int);' 'DROP TABLE reload_one;' >/dev/null
table_exists "$db" reload_one && fail "applied before the reload"
out=$(t_json a reload) || fail "reload failed: $out"
[[ $(jq -c '[.result.revisions, .result.added, .result.removed, .result.changed]' <<<"$out") == '[4,["rl0000000001"],[],[]]' ]] ||
	fail "reload result: $out"
t_wait_for 10 table_exists "$db" reload_one
t_wait_for 5 t_state_is a current
[[ $(rows "$db") == rl0000000001 ]] || fail "rows after reload: $(rows "$db")"
[[ $(t_sql "$db" "SELECT revision || ':' || outcome || ':' || requested_by FROM migrated_history ORDER BY id DESC LIMIT 1") == rl0000000001:ok:auto ]] ||
	fail "history after reload: $(t_sql "$db" "SELECT revision, outcome, requested_by FROM migrated_history ORDER BY id DESC LIMIT 1")"
ok "reload with a new file: auto-migrated"

# ---- a broken file next to a good one: rejected, old set kept -------------------
t_rev "$dir" rl0000000002 rl0000000001 'CREATE TABLE reload_two (id int);' 'DROP TABLE reload_two;' >/dev/null
bad=$dir/rl0000000003_broken.sql
cat >"$bad" <<'EOF'
-- revision: rl0000000003
-- down_revision: rl0000000002
-- message: broken header
-- transactional: perhaps

-- +upgrade
CREATE TABLE reload_three (id int);
EOF
rc=0
ctl a reload >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
((rc == 1)) || fail "reload of a broken directory exited $rc, expected 1"
grep -q "$bad:4: " "$T_TMP/err" || fail "the error does not name FILE:LINE ($bad:4): $(cat "$T_TMP/err")"
rc=0
out=$(t_json a reload) || rc=$?
((rc == 1)) || fail "reload --json exited $rc"
[[ $(jq -r .error.code <<<"$out") == migration_failed ]] || fail "reload error: $out"
# SPEC §2: every load error as FILE:LINE: message. (doc/protocol.md also
# promises them as an "errors" array; the daemon has them in the message.)
jq -r '.error.message' <<<"$out" | grep -q "^$bad:4: .*perhaps" || fail "error message: $out"
st=$(t_json a status --fresh)
[[ $(jq -r .result.revisions <<<"$st") == 4 ]] || fail "revisions after a rejected reload: $(jq .result.revisions <<<"$st")"
[[ $(jq -r .result.state <<<"$st") == current ]] || fail "state after a rejected reload: $st"
[[ $(jq -c .result.heads <<<"$st") == '["rl0000000001"]' ]] || fail "heads after a rejected reload: $st"
sleep 0.5
table_exists "$db" reload_two && fail "the good file of a rejected reload was applied"
[[ $(rows "$db") == rl0000000001 ]] || fail "rows after a rejected reload: $(rows "$db")"
ok "reload of a broken directory: exit 1, FILE:LINE, old set kept"

# ---- the same by SIGHUP ---------------------------------------------------------
log=$T_TMP/a.log
nrej=$(grep -c 'reload rejected' "$log" || true)
kill -HUP "$pid"
t_wait_for 5 eval '(( $(grep -c "reload rejected" "$log") > nrej ))'
grep -q "$bad:4: " "$log" || fail "the daemon log does not name FILE:LINE"
kill -0 "$pid" || fail "the daemon died on SIGHUP"
st=$(t_json a status) || fail "status after SIGHUP"
[[ $(jq -r .result.revisions <<<"$st") == 4 ]] || fail "revisions after a rejected SIGHUP: $st"
[[ $(jq -r .result.state <<<"$st") == current ]] || fail "state after a rejected SIGHUP: $st"
sleep 0.5
table_exists "$db" reload_two && fail "the good file of a rejected SIGHUP was applied"
ok "SIGHUP with a broken directory: rejected in the log, daemon alive, old set kept"

# ---- remove the broken file, SIGHUP: accepted -------------------------------------
rm -f "$bad"
nacc=$(grep -c 'reloaded ' "$log" || true)
kill -HUP "$pid"
t_wait_for 5 eval '(( $(grep -c "reloaded " "$log") > nacc ))'
t_wait_for 10 table_exists "$db" reload_two
t_wait_for 5 t_state_is a current
st=$(t_json a status)
[[ $(jq -r .result.revisions <<<"$st") == 5 ]] || fail "revisions after SIGHUP: $st"
[[ $(rows "$db") == rl0000000002 ]] || fail "rows after SIGHUP: $(rows "$db")"
table_exists "$db" reload_three && fail "the removed file ran"
[[ $(t_pid a) == "$pid" ]] && kill -0 "$pid" || fail "the daemon is not the same process"
t_stop a
ok "SIGHUP after removing the broken file: accepted, the new revision applied"
