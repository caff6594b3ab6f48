#!/usr/bin/env bash
# The daemon's other operations through the real client: stamp, log,
# history -v, heads, status --json; hello and an unknown op on the raw
# protocol; upgrade --atomic all-or-nothing, and refused with a
# non-transactional step in the plan.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1
PY=$(command -v /usr/bin/python3 python3 | head -n 1)


rows() {
	t_sql "$1" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}

# ---- stamp ---------------------------------------------------------------
db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
ctl a upgrade >/dev/null || fail "upgrade to head failed"
[[ $(rows "$db") == 212c31d97f11 ]] || fail "not at head: $(rows "$db")"
hist_before=$(t_sql "$db" "SELECT count(*) FROM migrated_history")

out=$(t_json a stamp base) || fail "stamp base failed: $out"
[[ $(jq -c .result.from <<<"$out") == '["212c31d97f11"]' && $(jq -c .result.to <<<"$out") == '[]' ]] ||
	fail "stamp base result: $out"
# no SQL ran: the seed rows (removed by 212c31d97f11's downgrade) and the
# tables (dropped by the others' downgrades) are all still there
got=$(t_sql "$db" "SELECT (SELECT count(*) FROM alembic_version), (SELECT count(*) FROM system_config), to_regclass('writing_styles') IS NOT NULL AND to_regclass('documents') IS NOT NULL")
[[ $got == '0|10|t' ]] || fail "after stamp base (rows|seed rows|tables): $got"
[[ $(t_field a .result.state) == behind ]] || fail "state after stamp base: $(t_field a .result.state)"
hv=$(ctl a history -v)
[[ $(grep -c '^Applied: no$' <<<"$hv") == 3 ]] || fail "history -v at base: $hv"

ctl a stamp head >/dev/null || fail "stamp head failed"
# no SQL ran (a real upgrade would have failed on the existing tables); the
# history has exactly the two stamp rows more, newest last
got=$(t_sql "$db" "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), (SELECT count(*) FROM system_config), (SELECT count(*) FROM migrated_history), (SELECT count(*) FROM migrated_history WHERE operation <> 'stamp'), (SELECT string_agg(revision || ':' || operation || ':' || outcome || ':' || requested_by, ',' ORDER BY id) FROM migrated_history WHERE id > $hist_before)")
[[ $got == "212c31d97f11|10|$((hist_before + 2))|3|base:stamp:ok:root,212c31d97f11:stamp:ok:root" ]] ||
	fail "after stamp head (rows|seed rows|history rows|non-stamp rows|new rows): $got"
t_expect 0 ctl a status --check
t_expect 2 ctl a stamp nosuchrevision
[[ $(rows "$db") == 212c31d97f11 ]] || fail "a bad stamp changed the rows"
ok "stamp base, stamp head: rows change, no SQL runs, stamp history rows"

# ---- log -n 2 ------------------------------------------------------------
lg=$(ctl a log -n 2)
[[ $(wc -l <<<"$lg") == 3 ]] || fail "log -n 2 is not a header and two rows: $lg"
head -n 1 <<<"$lg" | grep -q 'REVISION' || fail "log header: $lg"
sed -n 2p <<<"$lg" | grep -q 'stamp .*212c31d97f11' || fail "log row 1 (newest): $lg"
sed -n 3p <<<"$lg" | grep -q 'stamp .*base' || fail "log row 2: $lg"
lj=$(t_json a log -n 2)
[[ $(jq -s length <<<"$lj") == 1 ]] || fail "log --json is not one document: $lj"
[[ $(jq '.result.rows | length' <<<"$lj") == 2 ]] || fail "log --json rows: $lj"
[[ $(jq -r '.result.rows[0].revision + "," + .result.rows[1].revision' <<<"$lj") == 212c31d97f11,base ]] ||
	fail "log --json order: $lj"
[[ $(jq '.result.rows[0].id > .result.rows[1].id' <<<"$lj") == true ]] || fail "log ids not newest first: $lj"
missing=$(jq -c '.result.rows[0] as $r | ["id", "revision", "operation", "checksum", "message", "started_at", "finished_at", "duration_ms", "outcome", "error", "host", "pid", "requested_by"] | map(select(. as $k | $r | has($k) | not))' <<<"$lj")
[[ $missing == '[]' ]] || fail "log row without $missing: $lj"
[[ $(jq '.result.rows[0].pid | type' <<<"$lj") == '"number"' ]] || fail "log pid not a number: $lj"
[[ $(t_json a log | jq '.result.rows | length') == 5 ]] || fail "log without -n"
t_expect 2 ctl a log -n x
ok "log -n 2: two rows, newest first; --json rows"

# ---- history -v, heads, current --------------------------------------------
hv=$(ctl a history -v)
[[ $(grep -c '^Applied: yes$' <<<"$hv") == 3 ]] || fail "history -v applied marks: $hv"
for r in 2e0140e533a8_baseline_schema d382069dacef_add_writing_styles 212c31d97f11_seed_data; do
	grep -q "^Path: .*$dir/$r.sql$" <<<"$hv" || fail "history -v has no Path for $r: $hv"
done
grep -q '^Rev: 212c31d97f11 (head) (current)$' <<<"$hv" || fail "history -v head: $hv"
grep -q 'Create Date: 2025-10-02' <<<"$hv" || fail "history -v dates: $hv"
[[ $(ctl a history | wc -l) == 3 ]] || fail "history: $(ctl a history)"
[[ $(ctl a heads) == "212c31d97f11 (head) (current)" ]] || fail "heads: $(ctl a heads)"
[[ $(t_json a status | jq -c .result.heads) == '["212c31d97f11"]' ]] || fail "status heads"
ok "history -v with Path/Applied marks, heads"

# ---- status --json: exactly one document ---------------------------------------
sj=$(ctl a --json status)
[[ $(jq -s length <<<"$sj") == 1 ]] || fail "status --json is not one document: $sj"
[[ $(jq -c 'has("id")' <<<"$sj") == false ]] || fail "status --json carries the id: $sj"
[[ $(jq -r '.ok' <<<"$sj") == true && $(jq -r '.result.state' <<<"$sj") == current ]] ||
	fail "status --json: $sj"
missing=$(jq -c '.result as $r | ["connected", "database", "role", "leader", "current", "heads", "pending", "state", "running", "drift", "auto_migrate", "as_of"] | map(select(. as $k | $r | has($k) | not))' <<<"$sj")
[[ $missing == '[]' ]] || fail "status without $missing: $sj"
ej=$(ctl a --json upgrade nosuchrevision 2>/dev/null) && fail "upgrade nosuchrevision succeeded"
[[ $(jq -s length <<<"$ej") == 1 && $(jq -r .error.code <<<"$ej") == revision_not_found ]] ||
	fail "an error with --json is not one document: $ej"
ok "--json status is exactly one document; errors too"

# ---- hello and an unknown op on the raw protocol ------------------------------
h=$(t_raw "$(t_sock a)" '{"id": "h-1", "op": "hello"}') || fail "no hello reply: $h"
[[ $(jq -r .id <<<"$h") == h-1 && $(jq -r .ok <<<"$h") == true ]] || fail "hello: $h"
[[ $(jq -r .result.server <<<"$h") == migrated && $(jq -r .result.protocol <<<"$h") == 1 ]] ||
	fail "hello server/protocol: $h"
[[ $(jq -r .result.pid <<<"$h") == "$(t_pid a)" ]] || fail "hello pid: $h"
[[ $(jq -r .result.role <<<"$h") == leader ]] || fail "hello role: $h"
[[ $(jq -c '[.result.peer.uid, .result.peer.user, .result.peer.admin]' <<<"$h") == '[0,"root",true]' ]] ||
	fail "hello peer: $h"
u=$(t_raw "$(t_sock a)" '{"id": 41, "op": "frobnicate"}' '{"id": 42, "op": "hello"}') ||
	fail "no reply to an unknown op: $u"
[[ $(head -n 1 <<<"$u" | jq -c '[.id, .ok, .error.code]') == '[41,false,"unknown_op"]' ]] ||
	fail "unknown op reply: $u"
head -n 1 <<<"$u" | jq -r .error.message | grep -q frobnicate || fail "unknown op message: $u"
[[ $(sed -n 2p <<<"$u" | jq -c '[.id, .ok]') == '[42,true]' ]] || fail "connection unusable after unknown op: $u"
t_expect 2 ctl a frobnicate
# the client maps a daemon's unknown_op to 2: a stand-in daemon that knows
# no op at all
"$PY" - "$T_TMP/fake.sock" <<'EOF' &
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(10)
buf = b""
while b"\n" not in buf:
    buf += c.recv(65536)
req = json.loads(buf.split(b"\n")[0])
c.sendall(json.dumps({"id": req.get("id"), "ok": False, "error": {"code": "unknown_op", "message": "unknown op \"%s\"" % req.get("op")}}).encode() + b"\n")
c.close()
EOF
fake=$!
t_wait_for 5 test -S "$T_TMP/fake.sock"
t_expect 2 "$MIGRATECTL" -s "$T_TMP/fake.sock" status
wait "$fake" || fail "the stand-in daemon got no request"
ok "hello and unknown_op on the raw protocol; unknown_op exits 2"
t_stop a

# ---- upgrade --atomic: all or nothing ------------------------------------------
db2=$(t_newdb)
dir2=$(t_migdir sample)
t_rev "$dir2" at0000000001 212c31d97f11 'CREATE TABLE atomic_one (id int);
INSERT INTO system_config (key, value) VALUES ('"'atomic.one', '1'"');' 'DROP TABLE atomic_one;' >/dev/null
t_rev "$dir2" at0000000002 at0000000001 'CREATE TABLE atomic_two (id int);' 'DROP TABLE atomic_two;' >/dev/null
f3=$(t_rev "$dir2" at0000000003 at0000000002 'CREATE TABLE atomic_three (id int);
INSERT INTO atomic_three VALUES (1 / 0);' 'DROP TABLE atomic_three;')
t_start b "$db2" "$dir2" --no-auto-migrate
t_wait_for 10 t_state_is b behind
ctl b upgrade 212c31d97f11 >/dev/null || fail "upgrade to 212c31d97f11"
[[ $(rows "$db2") == 212c31d97f11 ]] || fail "setup rows: $(rows "$db2")"
nhist=$(t_sql "$db2" "SELECT count(*) FROM migrated_history")

rc=0
out=$(ctl b --json upgrade --atomic 2>/dev/null) || rc=$?
((rc == 1)) || fail "upgrade --atomic with a failing 3rd step exited $rc, expected 1: $out"
fin=$(tail -n 1 <<<"$out")
[[ $(jq -r .error.code <<<"$fin") == migration_failed ]] || fail "atomic error: $fin"
[[ $(jq -r .error.sqlstate <<<"$fin") == 22012 ]] || fail "atomic sqlstate: $fin"
[[ $(jq -r .error.file <<<"$fin") == "$f3" ]] || fail "atomic error file: $fin"
# version rows | tables of the plan | the first step's data row | ok history
# rows of the plan | failed history rows written since
got=$(t_sql "$db2" "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), (SELECT count(*) FROM pg_tables WHERE tablename LIKE 'atomic_%'), (SELECT count(*) FROM system_config WHERE key = 'atomic.one'), (SELECT count(*) FROM migrated_history WHERE revision LIKE 'at%' AND outcome = 'ok'), (SELECT count(*) > 0 FROM migrated_history WHERE id > $nhist AND outcome = 'failed')")
[[ $got == '212c31d97f11|0|0|0|t' ]] ||
	fail "atomic failure left something (rows|tables|data|ok rows|failed row): $got"
[[ $(t_field b .result.state) == behind ]] || fail "state after atomic failure"
[[ $(t_json b status --fresh | jq -c .result.current) == '["212c31d97f11"]' ]] ||
	fail "the daemon's rows after atomic failure: $(t_json b status | jq -c .result.current)"
ok "upgrade --atomic: a failing 3rd revision leaves nothing of the first two"

# the same plan without --atomic keeps the first two: the check above can fail
t_expect 1 ctl b upgrade
got=$(t_sql "$db2" "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version), (SELECT count(*) FROM pg_tables WHERE tablename LIKE 'atomic_%')")
[[ $got == at0000000002\|2 ]] || fail "per-revision (rows|tables): $got"
t_stop b
ok "without --atomic the first two stay"

# ---- --atomic with a non-transactional step: refused before anything runs ---
db3=$(t_newdb)
dir3=$(t_migdir sample)
t_rev "$dir3" nt0000000001 212c31d97f11 'CREATE TABLE nt_one (id int);' 'DROP TABLE nt_one;' >/dev/null
t_rev "$dir3" nt0000000002 nt0000000001 'CREATE INDEX CONCURRENTLY nt_one_idx ON nt_one (id);' \
	'DROP INDEX CONCURRENTLY nt_one_idx;' 'transactional: false' >/dev/null
t_start c "$db3" "$dir3" --no-auto-migrate
t_wait_for 10 t_state_is c behind
rc=0
err=$(ctl c upgrade --atomic 2>&1 >/dev/null) || rc=$?
((rc == 2)) || fail "--atomic with a transactional: false step exited $rc, expected 2: $err"
grep -q nt0000000002 <<<"$err" || fail "the refusal does not name the revision: $err"
got=$(t_sql "$db3" "SELECT (SELECT count(*) FROM alembic_version), (SELECT count(*) FROM migrated_history), (SELECT count(*) FROM pg_tables WHERE schemaname = '$T_SCHEMA' AND tablename NOT IN ('alembic_version', 'migrated_history', 'migrated_schema'))")
[[ $got == '0|0|0' ]] || fail "refused --atomic changed something (rows|history|tables): $got"
# --atomic up to before the non-transactional step is fine
ctl c upgrade --atomic nt0000000001 >/dev/null || fail "--atomic to nt0000000001 failed"
[[ $(rows "$db3") == nt0000000001 ]] || fail "--atomic nt0000000001 rows: $(rows "$db3")"
t_expect 2 ctl c upgrade --atomic
[[ $(rows "$db3") == nt0000000001 ]] || fail "second refused --atomic changed rows"
ctl c upgrade >/dev/null || fail "plain upgrade through the non-transactional step failed"
[[ $(rows "$db3") == nt0000000002 ]] || fail "plain upgrade rows: $(rows "$db3")"
t_stop c
ok "--atomic with a transactional: false step: exit 2, nothing runs"
