#!/usr/bin/env bash
# A socket path that may belong to someone else is left in place (issue 9,
# item 13): a daemon that may not connect to the live socket there (EACCES)
# refuses to start and does not remove it; a path that is not a socket is
# not removed either; a stale socket (nobody listening) is replaced.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

[[ $(id -u) == 0 ]] || t_skip "needs root to run a daemon as another user"
db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" s1 none "SELECT 1;" "SELECT 1;" >/dev/null
chmod -R a+rX "$dir"
shared=$(mktemp -d "$T_TMP/shared.XXXXXX")
chmod 0777 "$shared"		# anyone may remove a file here
sock=$shared/m.sock
printf 'socket_mode = 0600\n' >"$T_TMP/s.conf"
t_args -c "$T_TMP/s.conf"
"$MIGRATED" -d "$db" -m "$dir" -s "$sock" "${T_ARGS[@]}" >>"$T_TMP/a.log" 2>&1 &
T_PID[a]=$!
t_wait_for 10 "$MIGRATECTL" -s "$sock" -q status

# nobody may not connect (0600, root's): it must not take the path over
rc=0
timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$MIGRATED" -d "$db" -m "$dir" -s "$sock" >"$T_TMP/b.out" 2>&1 || rc=$?
((rc != 0)) || fail "a second daemon started on a live socket"
grep -q "may belong to a live daemon" "$T_TMP/b.out" || fail "message: $(cat "$T_TMP/b.out")"
"$MIGRATECTL" -s "$sock" -q status || fail "the live daemon's socket was taken away"
kill -TERM "${T_PID[a]}"; wait "${T_PID[a]}" || true; unset 'T_PID[a]'
ok "a socket we may not connect to is left alone (EACCES is not 'stale')"

# not a socket: left in place
echo data >"$shared/file"
rc=0
timeout 20 "$MIGRATED" -d "$db" -m "$dir" -s "$shared/file" >"$T_TMP/c.out" 2>&1 || rc=$?
((rc != 0)) || fail "started on a regular file"
[[ $(cat "$shared/file") == data ]] || fail "the file was replaced"
ok "a path that is not a socket is not removed"

# a stale socket (its daemon was killed) is replaced
t_start d "$db" "$dir"
t_kill d
[[ -S $(t_sock d) ]] || fail "no stale socket left to test with"
t_start d "$db" "$dir"
t_expect 0 ctl d -q status
t_stop d
ok "a stale socket is replaced"
