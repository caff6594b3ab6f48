#!/usr/bin/env bash
# A 64-character host name (the most Linux allows) makes application_name
# longer than PostgreSQL's 63 bytes (issue 9, defect 3): the instance id
# rides at its front, so the leader's own running non-transactional step
# reads as in progress -- not dirty -- on the leader and on a standby, and
# the step finishes normally.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

long=$(printf 'h%.0s' {1..60})long
if ! unshare --uts sh -c "hostname $long" 2>/dev/null; then
	t_skip "cannot set a host name in a new UTS namespace (unshare --uts)"
fi
# the daemon in its own UTS namespace with the long host name (no fork:
# T_PID is the daemon's own pid)
wrap="$T_TMP/migrated-uts"
printf '#!/bin/sh\nexec unshare --uts sh -c '\''hostname "$0" && exec "$@"'\'' %q %q "$@"\n' \
	"$long" "$MIGRATED" >"$wrap"
chmod +x "$wrap"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" ho000001 none 'CREATE TABLE ho_one (id int);' 'DROP TABLE ho_one;' >/dev/null
t_rev "$dir" ho000002 ho000001 'CREATE INDEX CONCURRENTLY ho_idx ON ho_one (id);
SELECT pg_sleep(3);' 'DROP INDEX CONCURRENTLY ho_idx;' 'transactional: false' >/dev/null

MIGRATED=$wrap t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
[[ $(t_field a .result.role) == leader ]] || fail "a is not leader"
app=$(t_field a .result.leader.application_name)
[[ ${#app} == 63 && $app == *hhhh* ]] || fail "application_name is not the long, cut one: $app"
t_start b "$db" "$dir" --no-auto-migrate # a standby, ordinary host name
t_expect 0 ctl a -q upgrade ho000001

running_is() {
	[[ $(t_json a status | jq -r '.result.running.revision // empty') == "$1" ]]
}
t_json a upgrade head >"$T_TMP/up.out" &
up=$!
t_wait_for 10 running_is ho000002
sleep 0.5 # the running row is committed, the sleep is on
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'ho000002' AND outcome = 'running'") == 1 ]] ||
	fail "no running row"
for n in a b; do
	st=$(t_json "$n" status --fresh)
	[[ $(jq -r .result.state <<<"$st") != dirty ]] || fail "$n: the leader's own running step reads as dirty: $st"
	[[ $(jq -r .result.dirty <<<"$st") == null ]] || fail "$n: dirty: $st"
done
ok "a running step of a leader with a 64-character host name: not dirty on the leader nor a standby"

rc=0
wait "$up" || rc=$?
((rc == 0)) || fail "upgrade exited $rc: $(tail -n 1 "$T_TMP/up.out")"
t_state_is a current || fail "state: $(t_field a .result.state)"
t_wait_for 10 t_state_is b current
t_stop b
t_stop a
ok "the step finished; current on both"
