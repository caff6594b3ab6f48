#!/usr/bin/env bash
# migratectl lint reports file errors and graph errors in one run (SPEC §2,
# "all of them, not just the first"; issue 13): a header error, an unknown
# parent and a cycle together, as FILE:LINE, and nothing about a revision
# whose parent's file is the broken one (that file's error says it all).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

dir=$(t_migdir)
t_rev "$dir" le000001 none 'SELECT 1;' - 'bogus_key: x' >/dev/null # line 4: unknown key
t_rev "$dir" le000002 le000001 'SELECT 2;' >/dev/null            # child of the broken file
t_rev "$dir" le000003 nosuch99 'SELECT 3;' >/dev/null            # unknown parent
t_rev "$dir" le000004 le000005 'SELECT 4;' >/dev/null            # a cycle
t_rev "$dir" le000005 le000004 'SELECT 5;' >/dev/null
t_rev "$dir" le000006 none 'SELECT 6;' >/dev/null                # a duplicate id
cp "$dir/le000006_rev.sql" "$dir/le000006_again.sql"

rc=0
"$MIGRATECTL" lint --dir "$dir" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
((rc == 1)) || fail "lint exited $rc: $(cat "$T_TMP/err")"
for want in "le000001_rev.sql:4: unknown header key \"bogus_key\"" \
	"le000003_rev.sql:2: unknown down_revision nosuch99" \
	"le000004_rev.sql:2: cycle" "duplicate revision le000006"; do
	grep -qF "$want" "$T_TMP/err" || fail "missing \"$want\" in: $(cat "$T_TMP/err")"
done
grep -q "le000002" "$T_TMP/err" && fail "a child of the broken file was reported: $(cat "$T_TMP/err")"
ok "lint: header error, unknown parent, cycle and duplicate in one run"

rc=0
out=$("$MIGRATECTL" --json lint --dir "$dir" 2>/dev/null) || rc=$?
((rc == 1)) || fail "lint --json exited $rc"
(($(jq '.errors | length' <<<"$out") >= 4)) || fail "lint --json errors: $out"
ok "lint --json lists them all"
