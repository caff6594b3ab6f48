#!/usr/bin/env bash
# Drift: an applied revision whose upgrade section changed on disk. Status
# reports it, verify / status --check / check exit 4, upgrade and downgrade
# are refused with drift_detected (exit 1) and change nothing. Edits of the
# header, of the downgrade section, or CRLF line ends and a BOM are not
# drift. allow_drift = true in a config file (-c) lets changes proceed.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

versions() {
	t_sql "$db" "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
}
nodrift() {
	local what=$1 st
	t_expect 0 ctl a -q reload
	st=$(t_json a status --fresh)
	[[ $(jq -c .result.drift <<<"$st") == '[]' ]] || fail "$what is drift: $st"
	[[ $(jq -r .result.state <<<"$st") == current ]] || fail "$what: state: $st"
	t_expect 0 ctl a verify >/dev/null
	t_expect 0 ctl a status --check >/dev/null
}

db=$(t_newdb)
dir=$(t_migdir)
f1=$(t_rev "$dir" aaaa0001 none 'CREATE TABLE t1 (id int);' 'DROP TABLE t1;')
f2=$(t_rev "$dir" bbbb0002 aaaa0001 'CREATE TABLE t2 (id int);' 'DROP TABLE t2;')
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
t_expect 0 ctl a verify >/dev/null
[[ $(t_json a verify | jq -c '[.result.ok, .result.checked]') == '[true,2]' ]] ||
	fail "verify: $(t_json a verify)"
ok "applied; verify finds no drift"

# ---- edits that are not drift ---------------------------------------------
sed -i 's/^-- message: .*/-- message: a better message/' "$f1"
sed -i 's/^DROP TABLE t1;/DROP TABLE IF EXISTS t1;/' "$f1"
grep -q 'IF EXISTS' "$f1" || fail "sed did not edit the downgrade"
nodrift "a header message and downgrade edit"
ok "header message and downgrade section edits are not drift"
# CRLF line ends and a UTF-8 BOM are read as the same text.
sed -i 's/$/\r/; 1s/^/\xef\xbb\xbf/' "$f2"
nodrift "CRLF + BOM"
ok "CRLF line ends and a BOM are not drift"

# ---- an upgrade section edit is ---------------------------------------------
sed -i 's/^CREATE TABLE t1 (id int);/CREATE TABLE t1 (id int, extra text);/' "$f1"
grep -q extra "$f1" || fail "sed did not edit the upgrade"
t_expect 0 ctl a -q reload
st=$(t_json a status --fresh)
[[ $(jq -r '[.result.drift[].revision] | join(",")' <<<"$st") == aaaa0001 ]] ||
	fail "status drift: $st"
recorded=$(t_sql "$db" "SELECT checksum FROM migrated_history WHERE revision = 'aaaa0001' AND outcome = 'ok'")
[[ $(jq -r '.result.drift[0].recorded' <<<"$st") == "$recorded" ]] ||
	fail "recorded checksum: $st vs $recorded"
actual=$(jq -r '.result.drift[0].actual' <<<"$st")
[[ $actual =~ ^[0-9a-f]{64}$ && $actual != "$recorded" ]] ||
	fail "actual checksum: $actual"
[[ $(jq -r '.result.drift[0].file' <<<"$st") == "$f1" ]] ||
	fail "drift file: $st"
ctl a status | grep -qi 'drift' || fail "human status does not show drift: $(ctl a status)"
ok "status reports drift of aaaa0001 (recorded = history checksum)"

rc=0
out=$(t_json a verify) || rc=$?
((rc == 4)) || fail "verify exited $rc"
[[ $(jq -c '[.result.ok, [.result.drift[].revision]]' <<<"$out") == '[false,["aaaa0001"]]' ]] ||
	fail "verify: $out"
t_expect 4 ctl a status --check >/dev/null
t_expect 4 ctl a check >/dev/null
ok "verify, status --check and check exit 4"

# Changes are refused, with something to do in both directions.
t_rev "$dir" cccc0003 bbbb0002 'CREATE TABLE t3 (id int);' 'DROP TABLE t3;' >/dev/null
# the reload loads it, and answers with the auto-migrate it started: refused
[[ $(t_json a reload | jq -r .error.code) == drift_detected ]] ||
	fail "reload with drift: $(t_json a status)"
hist=$(t_sql "$db" "SELECT count(*) FROM migrated_history")
for args in "upgrade head" "upgrade +1" "downgrade -1" "downgrade base"; do
	rc=0
	# shellcheck disable=SC2086
	out=$(t_json a $args) || rc=$?
	((rc == 1)) || fail "$args exited $rc: $out"
	[[ $(tail -n 1 <<<"$out" | jq -r .error.code) == drift_detected ]] ||
		fail "$args: $out"
done
rc=0
ctl a upgrade head 2>"$T_TMP/err" || rc=$?
((rc == 1)) || fail "upgrade exited $rc"
grep -q 'drift_detected' "$T_TMP/err" || fail "stderr: $(cat "$T_TMP/err")"
grep -q 'aaaa0001' "$T_TMP/err" || fail "stderr does not name the revision: $(cat "$T_TMP/err")"
[[ $(versions) == bbbb0002 ]] || fail "version rows: $(versions)"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history") == "$hist" ]] ||
	fail "history rows were added"
[[ $(t_sql "$db" "SELECT to_regclass('t3') IS NULL AND to_regclass('t2') IS NOT NULL") == t ]] ||
	fail "tables changed"
t_stop a
ok "upgrade and downgrade refused with drift_detected (exit 1), nothing changed"

# ---- allow_drift = true ------------------------------------------------------
conf=$T_TMP/migrated.conf
cat >"$conf" <<CONF
# drift is tolerated here
allow_drift = true
CONF
t_start b "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is b behind
[[ $(t_field b '[.result.drift[].revision] | join(",")') == aaaa0001 ]] ||
	fail "drift not reported with allow_drift: $(t_json b status)"
t_expect 0 ctl b -q upgrade head
[[ $(versions) == cccc0003 ]] || fail "after upgrade: $(versions)"
t_expect 0 ctl b -q downgrade -1
[[ $(versions) == bbbb0002 ]] || fail "after downgrade: $(versions)"
[[ $(t_sql "$db" "SELECT to_regclass('t3') IS NULL") == t ]] || fail "t3 left"
t_stop b
ok "allow_drift = true (-c FILE): upgrade and downgrade proceed"

# And a config without it is refused again, even with the file present.
echo 'allow_drift = false' >"$conf"
t_start c "$db" "$dir" -c "$conf" --no-auto-migrate
t_wait_for 10 t_state_is c behind
t_expect 1 ctl c -q upgrade head 2>/dev/null
[[ $(versions) == bbbb0002 ]] || fail "after refused upgrade: $(versions)"
t_stop c
ok "allow_drift = false refuses again"
