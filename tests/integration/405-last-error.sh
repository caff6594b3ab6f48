#!/usr/bin/env bash
# An auto-migrate failure is visible where people look (issue 10 item 2):
# status (text and JSON) carries last_error -- revision, FILE:LINE,
# SQLSTATE, message, when, by whom -- until a later step of that revision
# succeeds; systemd's STATUS= says it; a reload that brings a failing
# revision exits 1, and one that brings a good one shows what it applied.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir sample)
bad=$dir/bad000000001_bad.sql
cat >"$bad" <<'SQL'
-- revision: bad000000001
-- down_revision: 212c31d97f11
-- message: a typo

-- +upgrade
CREATE TABLE fine (id int);
CREAT TABLE oops (id int);

-- +downgrade
DROP TABLE fine;
SQL
t_notify_listen a
NOTIFY_SOCKET=$T_TMP/a.notify t_start a "$db" "$dir"
t_wait_for 10 eval '[[ $(t_json a status | jq -r .result.last_error.revision) == bad000000001 ]]'

# ---- status --json ------------------------------------------------------------------
le=$(t_json a status | jq -c .result.last_error)
[[ $(jq -r '[.revision, .operation, .file, .line, .sqlstate, .requested_by] | join("|")' <<<"$le") == "bad000000001|upgrade|$bad|7|42601|auto" ]] ||
	fail "last_error: $le"
jq -r .message <<<"$le" | grep -q 'syntax error at or near "CREAT"' || fail "last_error message: $le"
jq -r .at <<<"$le" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' || fail "last_error at: $le"
ok "status --json: last_error with revision, FILE:LINE, SQLSTATE, message, when, by whom"

# ---- status text and STATUS= ----------------------------------------------------------
out=$(ctl a status)
grep -q "^failed     bad000000001  upgrade at .* by auto$" <<<"$out" || fail "status text: $out"
grep -qF "           $bad:7: syntax error at or near \"CREAT\"" <<<"$out" || fail "status text error: $out"
grep -qx "           SQLSTATE: 42601" <<<"$out" || fail "status text SQLSTATE: $out"
grep -qF "next       bad000000001 failed at $bad:7: fix it, then run: migratectl upgrade" <<<"$out" ||
	fail "status next: $out"
t_wait_for 10 t_notify_has a "^STATUS=leader, behind: 1 pending; bad000000001 failed: $bad:7: syntax error at or near \"CREAT\" \\(SQLSTATE 42601\\)$"
ok "status text and systemd STATUS= name the failure"

# ---- a reload that brings another failing revision exits 1 -------------------------------
t_rev "$dir" bad000000002 bad000000001 'SELECT 1;' 'SELECT 1;' >/dev/null
rc=0
ctl a --json reload >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
((rc == 1)) || fail "reload with a failing auto-migrate exited $rc: $(cat "$T_TMP/out" "$T_TMP/err")"
grep -q "migration failed: $bad:7: auto-migrate after the reload (5 revisions): syntax error" "$T_TMP/err" ||
	fail "reload error: $(cat "$T_TMP/err")"
[[ $(jq -r '[.error.code, .error.sqlstate, .error.line] | join("|")' "$T_TMP/out") == "migration_failed|42601|7" ]] ||
	fail "reload --json error: $(cat "$T_TMP/out")"
ok "reload whose auto-migrate fails: exit 1 with FILE:LINE and SQLSTATE"

# ---- fixed: the reload applies it, last_error is gone --------------------------------------
sed -i 's/^CREAT TABLE/CREATE TABLE/' "$bad"
out=$(ctl a reload) || fail "reload after the fix: $out"
grep -q "ok .*bad000000001" <<<"$out" || fail "reload does not show the applied step: $out"
grep -q "^auto-migrate upgraded 212c31d97f11 -> bad000000002 in 2 steps" <<<"$out" || fail "reload summary: $out"
[[ $(t_json a status | jq -c .result.last_error) == null ]] || fail "last_error after success: $(t_json a status)"
ctl a status | grep -q '^failed' && fail "status still shows a failure"
t_wait_for 10 t_notify_has a '^STATUS=leader, at bad000000002$'
ok "fixed and reloaded: applied, shown, last_error cleared"

# ---- a reload that brings nothing new answers at once; a standby's does not wait ---------------
out=$(t_json a reload) || fail "plain reload: $out"
[[ $(jq -c '[.result.auto_migrate, .result.upgrade]' <<<"$out") == '[false,null]' ]] || fail "plain reload: $out"
t_stop a
