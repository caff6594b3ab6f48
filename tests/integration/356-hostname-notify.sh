#!/usr/bin/env bash
# The "changed" notice a leader sends after each step carries its
# application_name, host name included, as JSON. A host name holding a
# quote or a backslash (any byte is allowed in a UTS namespace) must not
# break the notice: a standby that never polls (refresh_interval = 1h)
# learns of the change through it alone.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# (hostname(1) refuses such a name; the kernel takes it)
odd='odd"host\name'
sethost='printf %s "$0" >/proc/sys/kernel/hostname'
if ! unshare --uts sh -c "$sethost" "$odd" 2>/dev/null; then
	t_skip "cannot set a host name in a new UTS namespace (unshare --uts)"
fi
wrap="$T_TMP/migrated-uts"
printf '#!/bin/sh\nexec unshare --uts sh -c '\''%s && exec "$@"'\'' %q %q "$@"\n' \
	"$sethost" "$odd" "$MIGRATED" >"$wrap"
chmod +x "$wrap"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" hn000001 none 'CREATE TABLE hn_one (id int);' 'DROP TABLE hn_one;' >/dev/null
conf="$T_TMP/slow-refresh.conf"
echo "refresh_interval = 1h" >"$conf"

MIGRATED=$wrap t_start a "$db" "$dir" --no-auto-migrate -c "$conf"
t_wait_for 10 t_state_is a behind
[[ $(t_field a .result.role) == leader ]] || fail "a is not leader"
[[ $(t_field a .result.leader.application_name) == *'odd"host\name'* ]] ||
	fail "a's application_name: $(t_field a .result.leader.application_name)"
t_start b "$db" "$dir" --no-auto-migrate -c "$conf"
t_wait_for 10 t_state_is b behind
# the state as b holds it, never --fresh (which would read the database)
cached_state_is() {
	[[ $(t_field "$1" .result.state) == "$2" ]]
}
cached_state_is b behind || fail "b: $(t_field b .result.state)"
t_expect 0 ctl a -q upgrade head
t_wait_for 10 cached_state_is b current
t_stop b
t_stop a
ok "a host name with a quote and a backslash: the standby hears the change"
