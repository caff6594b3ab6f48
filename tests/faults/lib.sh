# shellcheck shell=bash
#
# tests/faults/lib.sh -- helpers shared by the fault tests, on top of
# tests/lib/daemon.sh (which it sources: t_start, ctl, t_json, fail, ...).
#
#   f_spawn NAME URL DIR [ARGS...]  start migrated NAME without waiting
#   f_wait_up NAME...               wait until each NAME answers status
#   f_alive NAME                    the daemon process still runs
#   f_lock_row URL                  "backend|application_name" of the
#                                   session holding the advisory lock
#   f_lock_holder URL               daemon pid holding the advisory lock
#                                   in URL's database (empty: nobody)
#   f_lock_backend URL              backend pid of that lock session
#   f_history_dups URL              revisions with more than one ok upgrade
#   f_roles SECS SOCK...            sample every daemon's role for SECS
#   f_now_ms                        wall clock in ms
#   f_status_answers NAME           a fresh client's status answers
#                                   (prints the ms it took, unchecked)
#   f_asan                          MIGRATED is an AddressSanitizer build
#   f_reload_bg NAME                reload NAME without waiting: a leader's
#                                   reload answers only once the
#                                   auto-migrate it starts is done, and a
#                                   test that watches (or breaks) that
#                                   migration cannot wait for it first

source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1
# Debian's python3 first: a pyenv shim takes a second to start, too slow
# for clients that must be there while a daemon starts.
F_PY=$(command -v /usr/bin/python3 || command -v python3)

f_now_ms() { date +%s%3N; }

# (grep without -q: under pipefail an early exit would SIGPIPE the writer)
f_asan() {
	ldd "$MIGRATED" 2>/dev/null | grep libasan >/dev/null ||
		nm "$MIGRATED" 2>/dev/null | grep __asan_init >/dev/null
}

f_reload_bg() {
	ctl "$1" -q reload >>"$T_TMP/$1-reload.log" 2>&1 &
}

f_spawn() {
	local name=$1 url=$2 dir=$3
	shift 3
	t_args "$@"
	"$MIGRATED" -d "$url" -m "$dir" -s "$(t_sock "$name")" -v "${T_ARGS[@]}" \
		>>"$T_TMP/$name.log" 2>&1 &
	T_PID[$name]=$!
}

f_wait_up() {
	local name i
	for name in "$@"; do
		for ((i = 0; i < 100; i++)); do
			[[ -S $(t_sock "$name") ]] &&
				[[ $(t_json "$name" status | jq -r .ok) == true ]] &&
				break
			kill -0 "${T_PID[$name]}" 2>/dev/null ||
				fail "daemon $name died at start"
			sleep 0.1
		done
		((i < 100)) || fail "daemon $name did not open its socket"
	done
}

f_alive() {
	kill -0 "${T_PID[$1]}" 2>/dev/null
}

# The lock is the only granted advisory lock with objsubid 1 (bigint key)
# in the database; its session's application_name is migrated@HOST:PID.
f_lock_row() {
	t_sql "$1" "SELECT a.pid, a.application_name FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		AND l.database = (SELECT oid FROM pg_database
			WHERE datname = current_database())"
}

f_lock_holder() {
	local row
	row=$(f_lock_row "$1")
	[[ -n $row ]] || return 0
	echo "${row##*:}"
}

f_lock_backend() {
	local row
	row=$(f_lock_row "$1")
	echo "${row%%|*}"
}

f_history_dups() {
	t_sql "$1" "SELECT revision || ' x' || count(*) FROM migrated_history
		WHERE operation = 'upgrade' AND outcome = 'ok'
		GROUP BY revision HAVING count(*) > 1 ORDER BY 1"
}


# f_status_answers NAME: a fresh client's status answers; prints the time
# it took in ms (connect, request, reply, timed inside the client so that
# the start-up of an instrumented migratectl does not count), for the log
# only: speed belongs in bench/. The client gives up after 10 s, which
# only catches a daemon that no longer answers. migratectl status must
# succeed too.
f_status_answers() {
	local ms
	ms=$("$F_PY" - "$(t_sock "$1")" <<'EOF'
import json, socket, sys, time
t0 = time.monotonic()
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b'{"id": 1, "op": "status"}\n')
buf = b""
while b"\n" not in buf:
    chunk = s.recv(65536)
    if not chunk:
        sys.exit("closed")
    buf += chunk
if not json.loads(buf.split(b"\n")[0]).get("ok"):
    sys.exit("status failed: %r" % buf)
print(int((time.monotonic() - t0) * 1000))
EOF
	) || fail "status on $1 failed: $ms"
	[[ $(t_json "$1" --timeout 10 status | jq -r .ok) == true ]] ||
		fail "migratectl status on $1 failed"
	echo "$ms"
}

# f_roles SECS SOCK...: ask every daemon for status every 5 ms for SECS
# seconds (a socket that is not there yet is tried again each sweep);
# print one line per daemon with the roles it went through ("leader
# standby leader"), then "double N": sweeps with two leaders.
f_roles() {
	"$F_PY" - "$@" <<'EOF'
import json, socket, sys, time
secs, paths = float(sys.argv[1]), sys.argv[2:]
socks = [None] * len(paths)
seq = [[] for _ in paths]
double = n = 0
end = time.time() + secs
while time.time() < end:
    lead = 0
    for i, p in enumerate(paths):
        if socks[i] is None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(p)
            except OSError:
                s.close()
                continue
            s.settimeout(5)
            socks[i] = [s, b""]
        s = socks[i]
        n += 1
        s[0].sendall(b'{"id": %d, "op": "status"}\n' % n)
        while b"\n" not in s[1]:
            chunk = s[0].recv(65536)
            if not chunk:
                raise SystemExit("daemon %d closed the connection" % i)
            s[1] += chunk
        line, s[1] = s[1].split(b"\n", 1)
        role = json.loads(line)["result"]["role"]
        lead += role == "leader"
        if not seq[i] or seq[i][-1] != role:
            seq[i].append(role)
    double += lead > 1
    time.sleep(0.005)
for q in seq:
    print(" ".join(q) or "-")
print("double %d" % double)
EOF
}
