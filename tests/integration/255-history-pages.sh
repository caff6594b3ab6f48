#!/usr/bin/env bash
# history and log answer a page at a time (issue 13: a history of 10,000
# revisions would hold the daemon's loop for a quarter of a second):
# history `limit`/`before` with `next` and `total`, migratectl history
# walking every page into one listing, log `before`. No timing here.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
n=450	# more than two of migratectl's pages of 200
prev=none
for ((i = 1; i <= n; i++)); do
	id=$(printf 'r%04d' "$i")
	t_rev "$dir" "$id" "$prev" "SELECT $i;" "SELECT -$i;" >/dev/null
	prev=$id
done
t_start d "$db" "$dir" --no-auto-migrate
sock=$(t_sock d)

# the first page: the newest `limit`; next = its last, where the next
# page begins (before is exclusive, as log's)
out=$(t_raw "$sock" '{"id":1,"op":"history","args":{"limit":3}}')
[[ $(jq -c '[.result.revisions[].revision]' <<<"$out") == '["r0450","r0449","r0448"]' ]] ||
	fail "first page: $out"
[[ $(jq -r '.result.next, .result.total' <<<"$out" | paste -sd' ') == "r0448 $n" ]] ||
	fail "first page next/total: $(jq -c '.result | {next, total}' <<<"$out")"
out=$(t_raw "$sock" '{"id":2,"op":"history","args":{"limit":3,"before":"r0448"}}')
[[ $(jq -c '[.result.revisions[].revision]' <<<"$out") == '["r0447","r0446","r0445"]' ]] ||
	fail "second page: $out"
out=$(t_raw "$sock" '{"id":3,"op":"history","args":{"limit":5,"before":"r0004"}}')
[[ $(jq -c '[.result.revisions[].revision], .result.next' <<<"$out" | paste -sd' ') == '["r0003","r0002","r0001"] null' ]] ||
	fail "last page: $out"
ok "history: limit, before, next and total"

out=$(t_raw "$sock" '{"id":4,"op":"history"}')
[[ $(jq '.result.revisions | length' <<<"$out") == 100 ]] ||
	fail "default page is not 100 revisions: $(jq '.result.revisions | length' <<<"$out")"
out=$(t_raw "$sock" '{"id":5,"op":"history","args":{"before":"nosuch"}}')
[[ $(jq -r .error.code <<<"$out") == revision_not_found ]] || fail "unknown before: $out"
out=$(t_raw "$sock" '{"id":6,"op":"history","args":{"limit":1001}}')
[[ $(jq -r .error.code <<<"$out") == bad_request ]] || fail "limit over 1000: $out"
ok "history: a page of 100 by default; unknown before, limit over 1000 refused"

# migratectl walks the pages: every revision once, newest first
t_json d history >"$T_TMP/h.json" || fail "migratectl --json history failed"
[[ $(jq '.result.revisions | length' "$T_TMP/h.json") == "$n" ]] ||
	fail "migratectl history --json: $(jq '.result.revisions | length' "$T_TMP/h.json") revisions"
[[ $(jq -r '[.result.revisions[].revision] | (. == (sort | reverse)) and (unique | length) == '"$n" "$T_TMP/h.json") == true ]] ||
	fail "migratectl history --json: not every revision once, newest first"
[[ $(jq -r .result.next "$T_TMP/h.json") == null ]] || fail "merged history has a next"
[[ $(ctl d history | wc -l) == "$n" ]] || fail "migratectl history: $(ctl d history | wc -l) lines"
[[ $(ctl d history | tail -1) == "<base> -> r0001, revision r0001" ]] ||
	fail "oldest line: $(ctl d history | tail -1)"
ok "migratectl history pages through $n revisions"

# log: before = the last row's id gives the older rows
ctl d -q upgrade r0005 || fail "upgrade r0005 failed"
out=$(t_raw "$sock" '{"id":7,"op":"log","args":{"limit":2}}')
[[ $(jq -c '[.result.rows[].revision]' <<<"$out") == '["r0005","r0004"]' ]] || fail "log page: $out"
last=$(jq -r '.result.rows[-1].id' <<<"$out")
out=$(t_raw "$sock" '{"id":8,"op":"log","args":{"limit":2,"before":'"$last"'}}')
[[ $(jq -c '[.result.rows[].revision]' <<<"$out") == '["r0003","r0002"]' ]] || fail "log before: $out"
ok "log: before gives the next page"
