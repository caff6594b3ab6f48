#!/usr/bin/env bash
# log_format = json: every line the daemon writes on stderr is one JSON
# object with ts, level, prog, pid and msg; records of a step carry op,
# revision and duration_ms, a failed step's its sqlstate; a message with a
# newline and quotes (libpq's error text) stays one line. log_format = text
# writes plain lines even under a JOURNAL_STREAM; a bad value is exit 78.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none 'CREATE TABLE a (id int);' 'DROP TABLE a;' >/dev/null
t_rev "$dir" aaaa0002 aaaa0001 'SELECT 1/0;' 'SELECT 1;' >/dev/null
printf 'log_format = json\n' >"$T_TMP/json.conf"

t_start j "$db" "$dir" -c "$T_TMP/json.conf"
t_wait_for 20 grep -q '"sqlstate":"22012"' "$T_TMP/j.log"
ctl j status >/dev/null || true
t_stop j
log=$T_TMP/j.log

# Every line parses on its own, with the fixed keys.
n=0
while IFS= read -r line; do
	n=$((n + 1))
	jq -e 'type == "object" and (.ts | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$"))
		and (.level | IN("error", "warn", "notice", "info", "debug"))
		and .prog == "migrated" and (.pid | type == "number")
		and (.msg | type == "string")' <<<"$line" >/dev/null ||
		fail "line $n is not a log object: $line"
done <"$log"
((n > 5)) || fail "only $n lines: $(cat "$log")"
ok "$n lines, each one JSON object with ts, level, prog, pid, msg"

# The structured fields of a step (the journal's MIGRATED_* and SQLSTATE).
jq -se 'map(select(.op == "upgrade" and .revision == "aaaa0001"
	and (.duration_ms | type == "number"))) | length > 0' "$log" >/dev/null ||
	fail "no upgrade record of aaaa0001 with duration_ms: $(cat "$log")"
failed=$(jq -sc 'map(select(.revision == "aaaa0002" and .sqlstate == "22012"))
	| .[0]' "$log")
[[ $failed != null ]] || fail "no record of aaaa0002 with sqlstate: $(cat "$log")"
jq -e '.level == "error" or .level == "warn"' <<<"$failed" >/dev/null ||
	fail "failed step logged as $(jq -r .level <<<"$failed")"
jq -e '.msg | test("division by zero")' <<<"$failed" >/dev/null ||
	fail "the error text is not in msg: $failed"
ok "step records carry op, revision, duration_ms; the failure its sqlstate"

# A message with quotes: a load error naming a broken file (exit 65).
printf -- '-- revision: aaaa0003\n-- down_revision: "x\n' >"$dir/aaaa0003_x.sql"
rc=0
timeout 10 "$MIGRATED" -c "$T_TMP/json.conf" -d "$db" -m "$dir" \
	-s "$T_TMP/b.sock" 2>"$T_TMP/b.log" || rc=$?
((rc == 65)) || fail "broken directory: exit $rc"
jq -e . "$T_TMP/b.log" >/dev/null || fail "not JSON: $(cat "$T_TMP/b.log")"
jq -se 'map(select(.msg | test("aaaa0003_x.sql:2: .*\"x"))) | length == 1' \
	"$T_TMP/b.log" >/dev/null ||
	fail "the load error is not logged whole: $(cat "$T_TMP/b.log")"
rm -f "$dir/aaaa0003_x.sql"
ok "a load error with quotes stays JSON"

# text: plain lines, even when JOURNAL_STREAM names stderr (auto would
# pick the journal there).
printf 'log_format = text\n' >"$T_TMP/text.conf"
t_args -c "$T_TMP/text.conf" --once -d "$db" -m "$dir" aaaa0001
rc=0
(
	exec 2>"$T_TMP/t.log"
	JOURNAL_STREAM=$(stat -L -c '%d:%i' /proc/self/fd/2) \
		timeout 10 "$MIGRATED" "${T_ARGS[@]}" >/dev/null
) || rc=$?
grep -q '^[0-9-]*T[0-9:.]*Z migrated\[[0-9]*\] info: ' "$T_TMP/t.log" ||
	fail "log_format = text: $(cat "$T_TMP/t.log")"
ok "log_format = text writes plain lines even under JOURNAL_STREAM"

# A bad value names the key, the value and the file line: exit 78.
printf '\nlog_format = xml\n' >"$T_TMP/bad.conf"
rc=0
timeout 10 "$MIGRATED" -c "$T_TMP/bad.conf" -d "$db" -m "$dir" \
	-s "$T_TMP/bad.sock" >"$T_TMP/bad.out" 2>&1 || rc=$?
((rc == 78)) || fail "log_format = xml exited $rc"
grep -q "log_format = 'xml' ($T_TMP/bad.conf:2): must be one of: auto, text, json, journald" \
	"$T_TMP/bad.out" || fail "error text: $(cat "$T_TMP/bad.out")"
ok "log_format = xml: exit 78 naming key, value and source"
