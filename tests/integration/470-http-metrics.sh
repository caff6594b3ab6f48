#!/usr/bin/env bash
# http_listen: /healthz, /readyz (and ?requires=REV) and /metrics, asked
# with a real HTTP client (curl) of a real daemon, and /readyz of a standby
# (it answers for the database: 503 behind, 200 once the leader upgraded):
# the Prometheus text
# format (HELP and TYPE for every family, well-formed samples), values that
# follow the state (behind -> current, a failed step, requests by op), and
# the bounds: GET/HEAD only, request headers capped, connections capped
# (the rest wait, none is lost, no descriptor leaks), idle ones closed.
# Off by default; a bad value is exit 78, a port in use exit 1.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

command -v curl >/dev/null || fail "curl is not installed (scripts/deps)"
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
base=http://127.0.0.1:$port
# get PATH: the status code in $code, the body in $body (a trailing
# newline dropped) and in $T_TMP/body
get() {
	code=$(curl -sS --max-time 5 -o "$T_TMP/body" -w '%{http_code}' \
		"$base$1") || fail "curl $1 failed"
	body=$(cat "$T_TMP/body")
}
# metric NAME{LABELS}: its value in the last /metrics page ($T_TMP/m)
metric() {
	awk -v k="$1" '$1 == k { print $2 }' "$T_TMP/m"
}

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" aaaa0001 none 'CREATE TABLE a (id int);' 'DROP TABLE a;' >/dev/null
t_rev "$dir" aaaa0002 aaaa0001 'CREATE TABLE b (id int);' 'DROP TABLE b;' >/dev/null
printf 'http_listen = 127.0.0.1:%s\n' "$port" >"$T_TMP/h.conf"

# ---- off by default ---------------------------------------------------------
t_start off "$db" "$dir" --no-auto-migrate
grep -q 'http: listening' "$T_TMP/off.log" && fail "listens without http_listen"
t_stop off
ok "no HTTP listener without http_listen"

# ---- behind: /healthz ok, /readyz 503 ---------------------------------------
t_start h "$db" "$dir" -c "$T_TMP/h.conf" --no-auto-migrate
grep -q "http: listening on 127.0.0.1:$port" "$T_TMP/h.log" ||
	fail "no listening line: $(cat "$T_TMP/h.log")"
get /healthz
[[ $body == ok && $code == 200 ]] || fail "/healthz: $code"
get /readyz
[[ $code == 503 && $body == "not ready: behind, 2 pending" ]] ||
	fail "/readyz behind: $code $body"
ok "/healthz 200; /readyz 503 while behind"

# ---- a standby answers /readyz for the database, not for itself --------------
port2=$(free_port)
printf 'http_listen = 127.0.0.1:%s\n' "$port2" >"$T_TMP/s.conf"
t_start s "$db" "$dir" -c "$T_TMP/s.conf" --no-auto-migrate
[[ $(t_json s status | jq -r .result.role) == standby ]] ||
	fail "s is not a standby: $(t_json s status)"
sget() { local base=http://127.0.0.1:$port2; get "$@"; }
sget /readyz
[[ $code == 503 && $body == "not ready: behind, 2 pending" ]] ||
	fail "/readyz on a standby, behind: $code $body"
sget /healthz
[[ $code == 200 ]] || fail "/healthz on a standby: $code"

# ---- the exposition format ----------------------------------------------------
hdr=$(curl -sS -D - -o "$T_TMP/m" "$base/metrics")
grep -qi '^content-type: text/plain; version=0.0.4' <<<"$hdr" ||
	fail "content type: $hdr"
python3 - "$T_TMP/m" <<'EOF' || fail "not the Prometheus text format: $(cat "$T_TMP/m")"
import re, sys
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*)?\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$')
helps, types, seen = set(), {}, set()
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        name = line.split()[2]
        assert name not in helps, f"{n}: second HELP for {name}"
        helps.add(name)
    elif line.startswith("# TYPE "):
        _, _, name, typ = line.split()
        assert typ in ("counter", "gauge"), f"{n}: type {typ}"
        assert name in helps, f"{n}: TYPE before HELP for {name}"
        types[name] = typ
    else:
        m = sample.match(line)
        assert m, f"{n}: bad sample line {line!r}"
        name = m.group(1)
        assert name.startswith("migrated_"), f"{n}: {name}"
        assert name in types, f"{n}: {name} without TYPE"
        assert (types[name] == "counter") == name.endswith("_total"), f"{n}: {name}"
        assert line.rsplit(" ", 1)[0] not in seen, f"{n}: duplicate series"
        seen.add(line.rsplit(" ", 1)[0])
EOF
[[ $(metric 'migrated_state{state="behind"}') == 1 &&
	$(metric 'migrated_state{state="current"}') == 0 &&
	$(metric migrated_pending_revisions) == 2 &&
	$(metric migrated_leader) == 1 &&
	$(metric migrated_database_connected) == 1 &&
	$(metric migrated_auto_migrate) == 0 ]] ||
	fail "behind metrics: $(cat "$T_TMP/m")"
ok "/metrics: Prometheus text format, behind, 2 pending, leader"

# ---- after an upgrade: ready, counters --------------------------------------
ctl h upgrade aaaa0001 >/dev/null
get '/readyz?requires=aaaa0001'
[[ $code == 200 ]] || fail "/readyz?requires=aaaa0001: $code $body"
get '/readyz?requires=aaaa0002'
[[ $code == 503 && $body == "not ready: behind, 1 pending" ]] ||
	fail "/readyz?requires=aaaa0002: $code $body"
get '/readyz?requires=nosuchrev'
[[ $code == 503 && $body == *"nosuchrev"* ]] ||
	fail "/readyz?requires=nosuchrev: $code $body"
ctl h upgrade head >/dev/null
ctl h status >/dev/null
ctl h status >/dev/null
get /readyz
[[ $code == 200 && $body == "ready: at the heads" ]] || fail "/readyz: $code $body"
s_ready() { sget /readyz; [[ $code == 200 && $body == "ready: at the heads" ]]; }
t_wait_for 10 s_ready || fail "/readyz on the standby after the upgrade: $code $body"
curl -sS --max-time 5 -o "$T_TMP/m" "http://127.0.0.1:$port2/metrics"
[[ $(metric migrated_leader) == 0 ]] || fail "standby's migrated_leader: $(metric migrated_leader)"
t_stop s
get /metrics
cp "$T_TMP/body" "$T_TMP/m"
[[ $(metric 'migrated_state{state="current"}') == 1 &&
	$(metric migrated_pending_revisions) == 0 &&
	$(metric 'migrated_steps_total{operation="upgrade",outcome="ok"}') == 2 &&
	$(metric migrated_step_failures_total) == 0 &&
	$(metric migrated_last_step_success) == 1 &&
	$(metric 'migrated_requests_total{op="upgrade",result="ok"}') == 2 ]] ||
	fail "current metrics: $(cat "$T_TMP/m")"
[[ $(metric 'migrated_requests_total{op="status",result="ok"}') -ge 2 ]] ||
	fail "status requests: $(grep requests_total "$T_TMP/m")"
awk '$1 == "migrated_last_step_duration_seconds" && $2 >= 0 && $2 < 60 { f = 1 }
	END { exit !f }' "$T_TMP/m" || fail "last step duration: $(cat "$T_TMP/m")"
ok "/readyz 200 at the heads (on the standby too), ?requires=REV; step and request counters"

# ---- a failed step and an error reply are counted ----------------------------
t_rev "$dir" aaaa0003 aaaa0002 'SELECT 1/0;' 'SELECT 1;' >/dev/null
ctl h reload >/dev/null 2>&1 || true
t_expect 1 ctl h upgrade head >/dev/null 2>&1
t_expect 2 ctl h upgrade nosuchrev >/dev/null 2>&1
get /metrics
cp "$T_TMP/body" "$T_TMP/m"
[[ $(metric 'migrated_steps_total{operation="upgrade",outcome="failed"}') == 1 &&
	$(metric migrated_step_failures_total) == 1 &&
	$(metric migrated_last_step_success) == 0 &&
	$(metric 'migrated_requests_total{op="upgrade",result="migration_failed"}') == 1 &&
	$(metric 'migrated_requests_total{op="upgrade",result="revision_not_found"}') == 1 ]] ||
	fail "failure metrics: $(cat "$T_TMP/m")"
get /readyz
[[ $code == 503 ]] || fail "/readyz with a failed revision pending: $code $body"
rm "$dir/aaaa0003_rev.sql"
ctl h reload >/dev/null
ok "a failed step and error replies are counted by op and code"

# ---- drift: an applied revision's file changed -------------------------------
f2=$(ls "$dir"/aaaa0002_*.sql)
cp "$f2" "$T_TMP/f2.orig"
sed -i 's/CREATE TABLE b (id int);/CREATE TABLE b (id bigint);/' "$f2"
ctl h reload >/dev/null
drifted() { get /readyz; [[ $code == 503 && $body == "not ready: drift" ]]; }
t_wait_for 10 drifted || fail "/readyz with a drifted revision: $code $body"
get '/readyz?requires=aaaa0001'
[[ $code == 200 ]] || fail "/readyz?requires=aaaa0001 (not drifted): $code $body"
get '/readyz?requires=aaaa0002'
[[ $code == 503 && $body == "not ready: drift" ]] ||
	fail "/readyz?requires=aaaa0002 (drifted): $code $body"
cp "$T_TMP/f2.orig" "$f2"
ctl h reload >/dev/null
ready() { get /readyz; [[ $code == 200 ]]; }
t_wait_for 10 ready || fail "/readyz after the file was restored: $code $body"
ok "/readyz 503 \"drift\" while an applied revision's file differs; ?requires= only for its dependents"

# ---- bounds: methods, header size, unknown paths ----------------------------
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/metrics")
[[ $c == 405 || $c == 501 ]] || fail "POST answered $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -d x "$base/metrics")
[[ $c == 405 || $c == 413 || $c == 501 ]] || fail "PUT with a body answered $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$base/metrics")
[[ $c == 400 || $c == 413 || $c == 431 || $c == 000 ]] || fail "9 KB of headers answered $c"
c=$(curl -s -o /dev/null -w '%{http_code}' "$base/nope")
[[ $c == 404 ]] || fail "/nope answered $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -I "$base/healthz")
[[ $c == 200 ]] || fail "HEAD /healthz answered $c"
ok "POST refused, 9 KB of headers refused, 404 for other paths, HEAD works"

# ---- connections: capped, queued, none leaked; an idle one is closed ---------
pid=$(t_pid h)
fds0=$(ls /proc/"$pid"/fd | wc -l)
python3 - "$port" "$base" <<'EOF' || fail "connection cap"
import socket, subprocess, sys, time
port, base = int(sys.argv[1]), sys.argv[2]
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
time.sleep(0.5)
# 32 are served, the rest wait in the backlog: a new client waits too
r = subprocess.run(["curl", "-s", "--max-time", "1", "-o", "/dev/null",
                    base + "/healthz"])
assert r.returncode == 28, f"curl with 40 idle connections: {r.returncode}"
for c in conns:
    c.close()
r = subprocess.run(["curl", "-s", "--max-time", "5", base + "/healthz"],
                   capture_output=True)
assert r.stdout == b"ok\n", f"after closing them: {r}"
# one idle connection is closed by the daemon after about 5 s
s = socket.create_connection(("127.0.0.1", port))
t = time.time()
s.settimeout(20)
assert s.recv(1) == b""
idle = time.time() - t
assert 4 <= idle <= 9, f"idle connection closed after {idle:.1f} s"
EOF
get /metrics
cp "$T_TMP/body" "$T_TMP/m"
[[ $(metric migrated_http_connections) == 1 ]] ||
	fail "connections after: $(metric migrated_http_connections)"
fds1=$(ls /proc/"$pid"/fd | wc -l)
((fds1 <= fds0)) || fail "descriptors: $fds0 before, $fds1 after"
grep -q 'http: 32 connections open' "$T_TMP/h.log" || fail "no cap warning"
ok "40 idle connections: 32 served, the others queued, all closed, no fd leak"

t_stop h

# ---- configuration errors ------------------------------------------------------
for v in localhost:9187 127.0.0.1 127.0.0.1:0 127.0.0.1:70000 '::1:9187'; do
	printf 'http_listen = %s\n' "$v" >"$T_TMP/bad.conf"
	rc=0
	timeout 10 "$MIGRATED" -c "$T_TMP/bad.conf" -d "$db" -m "$dir" \
		-s "$T_TMP/bad.sock" >"$T_TMP/bad.out" 2>&1 || rc=$?
	((rc == 78)) && grep -qF "http_listen = '$v' ($T_TMP/bad.conf:1): not ADDRESS:PORT" \
		"$T_TMP/bad.out" || fail "http_listen = $v: exit $rc: $(cat "$T_TMP/bad.out")"
done
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(10)' >"$T_TMP/held" &
holder=$!
t_wait_for 5 test -s "$T_TMP/held"
port=$(cat "$T_TMP/held")
printf 'http_listen = 127.0.0.1:%s\n' "$port" >"$T_TMP/h.conf"
rc=0
timeout 10 "$MIGRATED" -c "$T_TMP/h.conf" -d "$db" -m "$dir" \
	-s "$T_TMP/busy.sock" >"$T_TMP/busy.out" 2>&1 || rc=$?
kill "$holder" 2>/dev/null || true
((rc == 1)) && grep -q "http_listen = '127.0.0.1:$port' ($T_TMP/h.conf:1): cannot listen: Address already in use" \
	"$T_TMP/busy.out" || fail "port in use: exit $rc: $(cat "$T_TMP/busy.out")"
ok "bad http_listen values exit 78 naming them; a port in use exits 1"
