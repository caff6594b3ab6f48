#!/usr/bin/env bash
# Sockets: a socket passed by systemd (LISTEN_FDS, here through
# systemd-socket-activate) is served, wins over -s, and is never unlinked;
# without activation a stale socket file is replaced, and a second daemon on
# a live socket refuses to start with a clear message and a non-zero exit.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

command -v systemd-socket-activate >/dev/null ||
	fail "systemd-socket-activate is not installed"
db=$(t_newdb)
dir=$(t_migdir sample)

# --- socket activation ---
act=$T_TMP/act.sock
other=$T_TMP/other.sock
t_args -d "$db" -m "$dir" -s "$other" -v
systemd-socket-activate -l "$act" "$MIGRATED" "${T_ARGS[@]}" >>"$T_TMP/act.log" 2>&1 &
apid=$!
T_PID[act]=$apid
t_wait_for 10 test -S "$act"
# systemd-socket-activate execs the daemon at the first connection, which
# the daemon then accepts from the passed socket.
st=$("$MIGRATECTL" -s "$act" --timeout 20 --json status) ||
	fail "status on the activated socket: $st"
[[ $(jq -r .ok <<<"$st") == true ]] || fail "status: $st"
[[ $(cat "/proc/$apid/comm") == migrated ]] ||
	fail "pid $apid is $(cat "/proc/$apid/comm")"
grep -q 'serving the socket passed by systemd' "$T_TMP/act.log" ||
	fail "log does not say it serves the passed socket"
[[ ! -e $other ]] || fail "-s $other was bound despite LISTEN_FDS"
ok "the passed socket is served and wins over -s"

act_current() {
	[[ $("$MIGRATECTL" -s "$act" --json status --fresh | jq -r .result.state) \
		== current ]]
}
t_wait_for 20 act_current
ok "auto-migrated through the passed socket"
ino=$(stat -c %i "$act")
kill -TERM "$apid"
rc=0
wait "$apid" || rc=$?
unset "T_PID[act]"
((rc == 0)) || fail "activated daemon exited $rc after SIGTERM"
[[ -S $act ]] || fail "the activated socket was unlinked at exit"
[[ $(stat -c %i "$act") == "$ino" ]] || fail "the activated socket was replaced"
ok "after the daemon stops the activated socket file is still there"

# A passed fd that is not a listening AF_UNIX stream socket is refused.
dgram=$T_TMP/dgram.sock
rc=0
timeout 20 python3 - "$dgram" "$MIGRATED" -d "$db" -m "$dir" \
	-s "$T_TMP/unused.sock" >"$T_TMP/dgram.log" 2>&1 <<-'EOF' || rc=$?
	import os, socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sys.argv[1])
	os.dup2(s.fileno(), 3)
	os.environ["LISTEN_FDS"] = "1"
	os.environ["LISTEN_PID"] = str(os.getpid())
	os.execv(sys.argv[2], sys.argv[2:])
EOF
((rc != 0 && rc != 124)) || fail "daemon with a datagram socket exited $rc"
grep -q 'not a listening AF_UNIX stream socket' "$T_TMP/dgram.log" ||
	fail "no clear message: $(cat "$T_TMP/dgram.log")"
[[ ! -e $T_TMP/unused.sock ]] || fail "fell back to -s"
ok "a passed datagram socket is refused (exit $rc)"

# --- no activation: a stale socket file is replaced ---
sock=$(t_sock b)
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
	"$sock"
[[ -S $sock ]] || fail "could not make a stale socket"
rc=0
"$MIGRATECTL" -s "$sock" status >/dev/null 2>&1 || rc=$?
((rc == 69)) || fail "stale socket: migratectl exited $rc, expected 69"
t_start b "$db" "$dir"
t_expect 0 ctl b -q status
grep -q "listening on $sock" "$T_TMP/b.log" || fail "b did not bind $sock"
ok "a stale socket file is replaced"

# --- a second daemon on a live socket refuses to start ---
ino=$(stat -c %i "$sock")
rc=0
timeout 20 "$MIGRATED" -d "$db" -m "$dir" -s "$sock" >"$T_TMP/c.log" 2>&1 ||
	rc=$?
((rc != 0 && rc != 124)) || fail "second daemon on a live socket exited $rc"
grep -q "another daemon is already answering on $sock" "$T_TMP/c.log" ||
	fail "no clear message: $(cat "$T_TMP/c.log")"
[[ $(stat -c %i "$sock") == "$ino" ]] || fail "the live socket was replaced"
t_expect 0 ctl b -q status
ok "a second daemon on a live socket exits $rc: $(grep -o 'another daemon.*' "$T_TMP/c.log")"
t_stop b
