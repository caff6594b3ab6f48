#!/usr/bin/env bash
# Host names never block the loop (issue 9, defect 9): the daemon looks
# them up with evdns and passes hostaddr with host to libpq. In a private
# mount namespace, /etc/hosts names the test server (reached by TCP through
# a forwarder to its Unix socket) and /etc/resolv.conf points at a DNS
# server that never answers:
#  - a multi-host list (a dead socket path, then a name from the hosts
#    file) connects;
#  - while a name waits on the silent DNS server, status answers.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

if [[ $(id -u) != 0 ]] || ! unshare -m true 2>/dev/null; then
	echo "SKIP: needs root and mount namespaces (unshare -m)"
	exit 77
fi
PY=$(command -v /usr/bin/python3 python3 | head -n 1)

# A DNS server on a private loopback address that reads and never answers.
dns_ip="127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 2))"
"$PY" - "$dns_ip" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    s.recvfrom(4096)
EOF
dns_pid=$!
# A TCP forwarder to the server's Unix socket (it listens on no TCP port).
"$PY" - "$PGHOST/.s.PGSQL.$PGPORT" "$T_TMP/fwd.port" <<'EOF' &
import os, socket, sys, threading
path, portfile = sys.argv[1], sys.argv[2]
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 0))
l.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write(str(l.getsockname()[1]))
os.rename(portfile + ".tmp", portfile)
def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
while True:
    c, _ = l.accept()
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect(path)
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
EOF
fwd_pid=$!
# t_cleanup (daemon.sh's EXIT trap) runs after, with the exit status
trap 'rc=$?; kill $dns_pid $fwd_pid 2>/dev/null; (exit $rc); t_cleanup' EXIT
t_wait_for 10 test -s "$T_TMP/fwd.port"
fwd=$(cat "$T_TMP/fwd.port")
sleep 0.2
kill -0 $dns_pid 2>/dev/null || { echo "SKIP: cannot bind $dns_ip:53"; exit 77; }

printf '127.0.0.1 localhost\n127.0.0.1 pg-by-name.test\n' >"$T_TMP/hosts"
# the longest look-up the resolver allows (30 s x 5 attempts): a loop that
# blocked on it would leave status unanswered for minutes
printf 'nameserver %s\noptions timeout:30 attempts:5\n' "$dns_ip" >"$T_TMP/resolv.conf"
chmod 644 "$T_TMP/hosts" "$T_TMP/resolv.conf"
# the daemon in its own mount namespace, with those two files
cat >"$T_TMP/ns-migrated" <<EOF
#!/bin/sh
exec unshare -m sh -c 'mount --bind "$T_TMP/hosts" /etc/hosts &&
	mount --bind "$T_TMP/resolv.conf" /etc/resolv.conf && exec "\$0" "\$@"' \\
	"$MIGRATED" "\$@"
EOF
chmod +x "$T_TMP/ns-migrated"
MIGRATED=$T_TMP/ns-migrated

db=$(t_newdb)
dbname=${db#postgresql:///}
dbname=${dbname%%\?*}
dir=$(t_migdir sample)

# ---- a name from the hosts file, after a dead socket path ------------------
t_start named "host=$T_TMP/nowhere,pg-by-name.test port=$PGPORT,$fwd dbname=$dbname user=$PGUSER" "$dir"
t_wait_for 20 t_state_is named current
st=$(t_json named status)
[[ $(jq -r .result.database.host <<<"$st") == pg-by-name.test ]] ||
	fail "connected elsewhere: $st"
[[ $(jq -r .result.role <<<"$st") == leader ]] || fail "not leader: $st"
t_stop named
ok "a host name from the hosts file connects (multi-host, socket path first)"

# ---- a name the silent DNS server never answers: status still answers -------
# No bound on how fast: the client's --timeout 20 is far below the minutes
# a blocking look-up would hold the loop, and only catches that.
t_start silent "host=db.blackhole.test port=5432 dbname=$dbname user=$PGUSER" "$dir"
for i in 1 2 3 4 5 6 7 8; do
	"$MIGRATECTL" -s "$(t_sock silent)" --timeout 20 --json status >"$T_TMP/st.json" ||
		fail "status $i did not answer while a look-up was pending"
	[[ $(jq -r .result.connected "$T_TMP/st.json") == false ]] ||
		fail "connected: $(cat "$T_TMP/st.json")"
	sleep 0.5
done
[[ $(jq -r .result.database.host "$T_TMP/st.json") == db.blackhole.test ]] ||
	fail "target: $(cat "$T_TMP/st.json")"
t_stop silent
ok "status answers while a host name waits on a silent DNS server"
