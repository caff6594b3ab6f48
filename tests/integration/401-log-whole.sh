#!/usr/bin/env bash
# `migratectl log` shows whole errors (issue 10 item 7): not on a terminal
# nothing is cut and an error's further lines follow its row; on a
# terminal each row fits the width; `log -v` prints every column of every
# row.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir)
long=$(printf 'word%.0s ' {1..60})
t_rev "$dir" aaaa00000001 none 'CREATE TABLE t1 (id int);' 'DROP TABLE t1;' >/dev/null
t_rev "$dir" aaaa00000002 aaaa00000001 "DO \$\$ BEGIN RAISE EXCEPTION E'long failure: $long END\\nthe second line' USING DETAIL = 'the detail line', HINT = 'the hint line'; END \$\$;" 'SELECT 1;' >/dev/null
t_start a "$db" "$dir"
t_wait_for 10 eval '[[ $(t_json a log | jq "[.result.rows[] | select(.outcome == \"failed\")] | length") -ge 1 ]]'

# ---- not a terminal: the whole error ----------------------------------------
out=$(ctl a log)
grep -q "long failure: $long END" <<<"$out" || fail "log cut the error: $out"
row=$(grep -n 'aaaa00000002' <<<"$out" | head -n 1 | cut -d: -f1)
[[ -n $row ]] || fail "no row for the failed revision: $out"
grep -qx '    the second line' <<<"$out" || fail "the second line is not shown under the row: $out"
grep -qx '    DETAIL: the detail line' <<<"$out" || fail "the DETAIL line is not shown under the row: $out"
grep -qx '    HINT: the hint line' <<<"$out" || fail "the HINT line is not shown under the row: $out"
grep -qx '    SQLSTATE: P0001' <<<"$out" || fail "the SQLSTATE is not shown under the row: $out"
grep -q 'aaaa00000001' <<<"$out" || fail "the good step is missing: $out"
ok "log not on a terminal: whole errors, later lines indented"

# ---- a terminal: rows cut to its width -----------------------------------------
if command -v script >/dev/null; then
	out=$(COLUMNS=100 script -qec "stty cols 100; $MIGRATECTL -s $(t_sock a) log" /dev/null | tr -d '\r')
	grep -q 'aaaa00000002.*\.\.\.$' <<<"$out" || fail "no ... on a terminal: $out"
	awk 'length > 100 { bad = 1 } END { exit bad }' <<<"$out" || fail "rows wider than the terminal: $out"
	grep -q "END" <<<"$out" && fail "the terminal row was not cut: $out"
	ok "log on a terminal: one line per row, cut with ..."
else
	echo "# script(1) missing: the terminal case is not checked"
fi

# ---- log -v ---------------------------------------------------------------------------
out=$(ctl a log -v)
for k in id revision operation outcome message started_at finished_at duration_ms requested_by host pid instance checksum error; do
	grep -q "^  $k " <<<"$out" || fail "log -v lacks $k: $out"
done
grep -q "long failure: $long END" <<<"$out" || fail "log -v cut the error"
grep -qx '                the second line' <<<"$out" || fail "log -v: the second line: $out"
[[ $(grep -c '^  revision ' <<<"$out") == $(t_json a log | jq '.result.rows | length') ]] ||
	fail "log -v: not one block per row: $out"
out=$(ctl a log -v -n 1)
[[ $(grep -c '^  revision ' <<<"$out") == 1 ]] || fail "log -v -n 1: $out"
ok "log -v: every column of every row"
t_stop a
