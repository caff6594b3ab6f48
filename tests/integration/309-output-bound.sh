#!/usr/bin/env bash
# Unread replies are bounded per client and in total (issue 9, item 13):
# 60 clients flood status requests and never read. Each is dropped once
# its unread replies pass 1 MiB, or the largest once all pass 32 MiB; the
# daemon's peak RSS grows by well under 60 x 16 MiB, and a client that
# reads is answered meanwhile.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" ob1 none "SELECT 1;" "SELECT 1;" >/dev/null
t_start a "$db" "$dir"
t_wait_for 15 t_state_is a current
pid=$(t_pid a)
hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"; }

h0=$(hwm)
"$(command -v /usr/bin/python3 python3 | head -n 1)" - "$(t_sock a)" 60 >"$T_TMP/flood" <<'PYEOF' &
import json, select, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
req = b'{"id": 1, "op": "status"}\n' * 500
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(path)
    s.setblocking(False)
    socks.append(s)
live, closed, end = set(range(n)), 0, time.time() + 60
while live and time.time() < end:
    _, w, _ = select.select([], [socks[i] for i in live], [], 0.2)
    for s in w:
        i = socks.index(s)
        try:
            s.send(req)
        except BlockingIOError:
            pass
        except (BrokenPipeError, ConnectionResetError):
            live.discard(i)
            closed += 1
print(json.dumps({"clients": n, "dropped": closed}))
PYEOF
flood=$!
sleep 1
# (no bound on how fast: --timeout 20 only catches a daemon blocked on the
# non-readers, whose flood goes on for up to 60 s)
for i in 1 2 3; do
	"$MIGRATECTL" -s "$(t_sock a)" --timeout 20 status >/dev/null ||
		fail "a reading client was not answered during the flood"
done
wait $flood || fail "flood client failed"
r=$(cat "$T_TMP/flood")
h1=$(hwm)
echo "# $r; peak RSS $h0 -> $h1 kB"
[[ $(jq .dropped <<<"$r") == 60 ]] || fail "not every non-reader was dropped: $r"
grep -q 'does not read its replies' "$T_TMP/a.log" || fail "no log line"
if ldd "$MIGRATED" 2>/dev/null | grep libasan >/dev/null; then
	echo "# (AddressSanitizer build: RSS bound not checked)"
else
	((h1 - h0 < 64 * 1024)) || fail "peak RSS grew by $(((h1 - h0) / 1024)) MiB"
fi
t_expect 0 ctl a -q status
t_stop a
ok "60 clients that never read: all dropped, peak RSS +$(((h1 - h0) / 1024)) MiB"
