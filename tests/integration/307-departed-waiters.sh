#!/usr/bin/env bash
# Waits of clients that hang up are dropped (issue 9, defect 8): 10,000
# clients each send a `wait` that cannot be answered (the database stays
# behind, auto-migrate off) and hang up; the daemon's memory stays bounded
# (RSS before and after, no timing), and it still answers.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" dw1 none "CREATE TABLE dw_1 (id int);" "DROP TABLE dw_1;" >/dev/null
DISABLE_AUTO_MIGRATIONS=true t_start a "$db" "$dir"
t_wait_for 15 t_state_is a behind
pid=$(t_pid a)
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }

# hangups N: N clients, 50 at a time, each sends a wait and closes
hangups() {
	"$(command -v /usr/bin/python3 python3 | head -n 1)" - "$(t_sock a)" "$1" <<'PYEOF'
import socket, sys
path, n = sys.argv[1], int(sys.argv[2])
line = b'{"id": 1, "op": "wait", "args": {"target": "heads"}}\n'
done = refused = 0
while done < n:
    socks = []
    for _ in range(min(50, n - done)):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        try:
            s.sendall(line)
        except OSError:
            refused += 1    # turned away (max_clients): not a waiter
        socks.append(s)
    for s in socks:
        s.close()
    done += len(socks)
if refused > n // 10:
    sys.exit("%d of %d clients were turned away" % (refused, n))
PYEOF
}
settle() { # every hangup seen: a status on a new connection answers after them
	sleep 1
	t_json a status >/dev/null || fail "status after the hangups"
}

hangups 1000
settle
r0=$(rss)
hangups 10000
settle
r1=$(rss)
[[ $(t_field a .result.waiting) == 0 ]] ||
	fail "requests still waiting for clients that left: $(t_field a .result.waiting)"
echo "# RSS $r0 kB -> $r1 kB after 10,000 waits from clients that hung up"
# AddressSanitizer keeps freed memory in quarantine (256 MiB by default), so
# RSS says nothing there; its runtime is linked (gcc) or built in (clang).
bound="RSS bound (growth < 4096 kB) checked"
if ldd "$MIGRATED" 2>/dev/null | grep -q libasan || grep -qa __asan_init "$MIGRATED"; then
	bound="RSS bound NOT checked: AddressSanitizer build"
	echo "# $bound"
else
	((r1 - r0 < 4096)) || fail "RSS grew by $((r1 - r0)) kB: waits of departed clients are kept"
fi
# the daemon still serves waits of clients that stay, and counts them
t_expect 3 ctl a -q check
ctl a -q wait heads --timeout 20 >/dev/null 2>&1 &
t_wait_for 10 eval '[[ $(t_field a .result.waiting) == 1 ]]' 
t_stop a
ok "10,000 waits from clients that hung up: RSS $r0 -> $r1 kB ($bound)"
