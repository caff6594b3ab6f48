#!/usr/bin/env bash
# A revision whose third statement fails: migratectl exits 1 and names the
# failing FILE:LINE and SQLSTATE (human and --json), the revision leaves
# nothing behind (its first statements rolled back, version row unchanged),
# migrated_history records the failure, and the good revision planned before
# it stays applied. An error position inside a multi-line statement maps to
# the line it points at.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# run NAME ARGS...: migratectl; stdout in $out, stderr in $err, status in $rc.
run() {
	local name=$1
	shift
	rc=0
	"$MIGRATECTL" -s "$(t_sock "$name")" "$@" >"$T_TMP/out" 2>"$T_TMP/err" ||
		rc=$?
	out=$(cat "$T_TMP/out")
	err=$(cat "$T_TMP/err")
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none 'CREATE TABLE good_a (id int PRIMARY KEY);' \
	'DROP TABLE good_a;' >/dev/null
bad=$dir/bbbb0002_bad.sql
cat >"$bad" <<'SQL'
-- revision: bbbb0002
-- down_revision: aaaa0001
-- message: fails on its third statement

-- +upgrade
CREATE TABLE bad_first (id int);

-- a comment between statements
CREATE TABLE bad_second (
    id int,
    note text
);

/* the third statement: its table does not exist */
INSERT INTO
    no_such_table (id)
    VALUES (1);
CREATE TABLE bad_fourth (id int);

-- +downgrade
DROP TABLE bad_second;
DROP TABLE bad_first;
SQL
# The failing statement starts on the INSERT line; PostgreSQL's position
# points at no_such_table, one line further down.
ins_line=$(grep -n '^INSERT INTO' "$bad" | cut -d: -f1)
tbl_line=$(grep -n 'no_such_table (id)' "$bad" | cut -d: -f1)
((tbl_line == ins_line + 1)) || fail "test file layout: INSERT on $ins_line, table on $tbl_line"

t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history") == 0 ]] ||
	fail "history rows before any upgrade"

# ---- human output --------------------------------------------------------
run a upgrade
((rc == 1)) || fail "upgrade exited $rc, expected 1; stderr: $err"
grep -qF "bbbb0002_bad.sql:$tbl_line:" <<<"$err" ||
	fail "stderr does not name bbbb0002_bad.sql:$tbl_line: $err"
grep -q '42P01' <<<"$err" || fail "stderr lacks SQLSTATE 42P01: $err"
grep -q 'no_such_table' <<<"$err" || fail "stderr lacks the message: $err"
ok "upgrade exits 1 naming FILE:$tbl_line and SQLSTATE 42P01"

# The good revision planned first is applied and stays applied.
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == aaaa0001 ]] ||
	fail "version rows: $(t_sql "$db" "SELECT version_num FROM alembic_version")"
[[ $(t_sql "$db" "SELECT to_regclass('good_a') IS NOT NULL") == t ]] ||
	fail "good_a missing"
# Nothing of the failed revision remains.
n=$(t_sql "$db" "SELECT count(*) FROM pg_class WHERE relname IN ('bad_first', 'bad_second', 'bad_fourth')")
[[ $n == 0 ]] || fail "$n objects of the failed revision exist"
ok "the earlier good revision stays applied, the failed one left nothing"

# History: one ok upgrade for aaaa0001, one failed row for bbbb0002 with
# the error text.
[[ $(t_sql "$db" "SELECT outcome FROM migrated_history WHERE revision = 'aaaa0001' AND operation = 'upgrade'") == ok ]] ||
	fail "aaaa0001 history: $(t_sql "$db" "SELECT * FROM migrated_history")"
row=$(t_sql "$db" "SELECT outcome || '|' || coalesce(error, '<null>') || '|' || (finished_at IS NOT NULL)::text FROM migrated_history WHERE revision = 'bbbb0002'")
# (the error is multi-line: FILE:LINE: message, then SQLSTATE: ...)
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'bbbb0002'") == 1 ]] ||
	fail "bbbb0002 history rows: $row"
grep -q '^SQLSTATE: 42P01|' <<<"$row" || fail "bbbb0002 history error without its SQLSTATE: $row"
[[ $row == failed\|*no_such_table*\|true ]] || fail "bbbb0002 history row: $row"
ok "migrated_history has the failed row with its error"

# status agrees: behind, one pending revision, nothing running.
st=$(t_json a status --fresh)
[[ $(jq -r '.result.state' <<<"$st") == behind ]] || fail "state: $st"
[[ $(jq -c '[.result.pending[].revision]' <<<"$st") == '["bbbb0002"]' ]] ||
	fail "pending: $st"
[[ $(jq -c '.result.current' <<<"$st") == '["aaaa0001"]' ]] ||
	fail "current: $st"

# ---- --json: step_failed event, then the final error ---------------------
before=$(t_sql "$db" "SELECT count(*) FROM migrated_history")
run a --json upgrade
((rc == 1)) || fail "--json upgrade exited $rc"
lines=$(wc -l <<<"$out")
((lines >= 2)) || fail "--json printed $lines line(s): $out"
jq -e . >/dev/null <<<"$out" || fail "--json output is not JSON lines: $out"
ev=$(jq -c 'select(.event == "step_failed")' <<<"$out")
[[ -n $ev ]] || fail "no step_failed event: $out"
[[ $(jq -r '.revision' <<<"$ev") == bbbb0002 ]] || fail "event: $ev"
[[ $(jq -r '.sqlstate' <<<"$ev") == 42P01 ]] || fail "event: $ev"
[[ $(jq -r '.line' <<<"$ev") == "$tbl_line" ]] || fail "event line: $ev"
[[ $(jq -r '.file' <<<"$ev") == *bbbb0002_bad.sql ]] || fail "event file: $ev"
final=$(tail -n 1 <<<"$out")
[[ $(jq -r '.ok' <<<"$final") == false ]] || fail "final: $final"
[[ $(jq -r 'has("id")' <<<"$final") == false ]] || fail "final has id: $final"
[[ $(jq -r '.error.code' <<<"$final") == migration_failed ]] ||
	fail "final code: $final"
[[ $(jq -r '.error.sqlstate' <<<"$final") == 42P01 ]] || fail "final: $final"
[[ $(jq -r '.error.line' <<<"$final") == "$tbl_line" ]] || fail "final: $final"
[[ $(jq -r '.error.file' <<<"$final") == *bbbb0002_bad.sql ]] ||
	fail "final file: $final"
[[ $(jq -r '.error.revision' <<<"$final") == bbbb0002 ]] || fail "final: $final"
# The position counts characters of the statement: no_such_table starts
# after "INSERT INTO\n    ", at character 17.
[[ $(jq -r '.error.position' <<<"$final") == 17 ]] ||
	fail "final position: $final"
# The event came before the final line.
ev_at=$(grep -n '"step_failed"' <<<"$out" | head -1 | cut -d: -f1)
((ev_at < lines)) || fail "step_failed after the final line"
ok "--json: step_failed event and final error carry file/line/sqlstate"

after=$(t_sql "$db" "SELECT count(*) FROM migrated_history")
((after == before + 1)) || fail "history rows $before -> $after, expected one more"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'bbbb0002' AND outcome = 'failed'") == 2 ]] ||
	fail "failed rows: $(t_sql "$db" "SELECT revision, outcome FROM migrated_history")"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == aaaa0001 ]] ||
	fail "version row changed by the second failure"
n=$(t_sql "$db" "SELECT count(*) FROM pg_class WHERE relname LIKE 'bad\_%'")
[[ $n == 0 ]] || fail "$n objects of the failed revision exist after retry"
ok "a second failure changes nothing but one more failed history row"

# ---- position inside a multi-line statement -------------------------------
cat >"$bad" <<'SQL'
-- revision: bbbb0002
-- down_revision: aaaa0001
-- message: fails on an unknown column

-- +upgrade
CREATE TABLE bad_first (id int);
SELECT 1,
  2,
  nosuchcol FROM good_a;
SQL
col_line=$(grep -n 'nosuchcol FROM' "$bad" | cut -d: -f1)
sel_line=$(grep -n '^SELECT 1,' "$bad" | cut -d: -f1)
run a reload
((rc == 0)) || fail "reload exited $rc: $err"
run a --json upgrade head
((rc == 1)) || fail "upgrade exited $rc: $out"
final=$(tail -n 1 <<<"$out")
[[ $(jq -r '.error.sqlstate' <<<"$final") == 42703 ]] || fail "final: $final"
[[ $(jq -r '.error.line' <<<"$final") == "$col_line" ]] ||
	fail "line $(jq -r '.error.line' <<<"$final"), expected $col_line (statement starts on $sel_line): $final"
run a upgrade head
((rc == 1)) || fail "upgrade exited $rc"
grep -qF "bbbb0002_bad.sql:$col_line:" <<<"$err" ||
	fail "stderr does not name line $col_line: $err"
grep -q '42703' <<<"$err" || fail "stderr lacks 42703: $err"
[[ $(t_sql "$db" "SELECT to_regclass('bad_first') IS NULL") == t ]] ||
	fail "bad_first exists"
ok "an error position in a multi-line statement maps to line $col_line"

# Fixed, the revision applies.
sed -i 's/nosuchcol/id/' "$bad"
run a reload
run a upgrade head
((rc == 0)) || fail "fixed upgrade exited $rc: $err"
[[ $(t_sql "$db" "SELECT version_num FROM alembic_version") == bbbb0002 ]] ||
	fail "not at bbbb0002"
t_stop a
ok "after the fix the revision applies"
