#!/usr/bin/env bash
# What migrated --once and the log print (issue 9, item 14): the last line
# names every head the database ends at, not the first; an error without a
# file or line never prints a ":0:" as if it were a line; a cancelled step
# (no statement, so no file line) is logged without "(null)" or ":0:".
source "$TOP_SRCDIR/tests/lib/daemon.sh"

once() {
	local url=$1 dir=$2
	shift 2
	rc=0
	t_args "$@"
	"$MIGRATED" --once -d "$url" -m "$dir" -s "$T_TMP/once.sock" "${T_ARGS[@]}" \
		>"$T_TMP/once.out" 2>"$T_TMP/once.err" || rc=$?
	out=$(cat "$T_TMP/once.out")
	err=$(cat "$T_TMP/once.err")
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" oo000001 none 'CREATE TABLE oo_base (id int);' 'DROP TABLE oo_base;' >/dev/null
t_rev "$dir" oo00000a oo000001 'CREATE TABLE oo_a (id int);' 'DROP TABLE oo_a;' >/dev/null
t_rev "$dir" oo00000b oo000001 'CREATE TABLE oo_b (id int);' 'DROP TABLE oo_b;' >/dev/null

once "$db" "$dir"
((rc == 0)) || fail "--once exited $rc: $err"
[[ $(tail -n 1 <<<"$out") == "at oo00000a, oo00000b" ]] || fail "last line: $(tail -n 1 <<<"$out")"
once "$db" "$dir"
((rc == 0)) && [[ $out == "at oo00000a, oo00000b" ]] || fail "second run ($rc): $out"
ok "--once to two heads: the last line names both"

once "$db" "$dir" nosuchrevision
((rc == 2)) || fail "--once nosuchrevision exited $rc: $err"
grep -q ':0:' <<<"$err" && fail "an error without a file printed a line 0: $err"
grep -qx "migrated: revision_not_found: no revision nosuchrevision" <<<"$err" || fail "stderr: $err"
ok "an error without a file: no line 0"

# a cancelled non-transactional step: cancelled between statements, while a
# lock_timeout retry waits, so the error has no statement, file line or SQL
t_rev "$dir" oo00000c oo00000a 'CREATE TABLE oo_c (id int);
ALTER TABLE oo_base ADD COLUMN x int;' 'DROP TABLE oo_c;' 'transactional: false' 'lock_timeout: 100ms' >/dev/null
conf="$T_TMP/m.conf"
printf 'lock_retries = 50\n' >"$conf"
t_start a "$db" "$dir" -c "$conf" --no-auto-migrate
psql -X -qAt -d "$db" -c "BEGIN; LOCK oo_base IN SHARE MODE; SELECT pg_sleep(30);" >/dev/null 2>&1 &
holder=$!
trap 'rc=$?; set +e; kill $holder 2>/dev/null; (exit $rc); t_cleanup' EXIT
held() {
	[[ $(t_sql "$db" "SELECT count(*) FROM pg_locks WHERE relation = 'oo_base'::regclass AND mode = 'ShareLock' AND granted") == 1 ]]
}
t_wait_for 10 held
t_json a upgrade oo00000c >"$T_TMP/up.out" &
up=$!
t_wait_for 10 grep -q "lock timeout (attempt 2" "$T_TMP/a.log"
t_expect 0 ctl a -q cancel
wait "$up" || true
[[ $(tail -n 1 "$T_TMP/up.out" | jq -r .error.code) == cancelled ]] || fail "upgrade: $(tail -n 1 "$T_TMP/up.out")"
line=$(grep "cancelled during oo00000c" "$T_TMP/a.log" | grep -v "requested" | head -n 1)
[[ -n $line ]] || fail "no log line for the cancelled step"
grep -q '(null)\|:0:' <<<"$line" && fail "log line: $line"
kill "$holder" 2>/dev/null || true
t_stop a
ok "a cancelled step is logged without (null) or :0: ($line)"
