#!/usr/bin/env bash
# The daemon under valgrind (memcheck, --leak-check=full,
# --errors-for-leak-kinds=definite, --error-exitcode=99) through the sample
# schema's round trip: auto-migrate to head, status/history/log/dry run,
# downgrade base, upgrade head, a bad request line, a client that hangs up
# in the middle of a request, then SIGTERM. It must exit 0: no invalid
# access, no use of uninitialised memory, no definitely lost block.
# Skipped (exit 77, counted as skipped) when MIGRATED is an AddressSanitizer
# build, which valgrind cannot run.
source "$TOP_SRCDIR/tests/faults/lib.sh"

command -v valgrind >/dev/null || fail "needs valgrind (scripts/deps --ci)"
f_asan && t_skip "$MIGRATED is built with AddressSanitizer"

db=$(t_newdb)
dir=$(t_migdir sample)
vlog=$T_TMP/valgrind.log
sock=$(t_sock v)
t_args -d "$db" -m "$dir" -s "$sock" -v
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --error-exitcode=99 --log-file="$vlog" \
	"$MIGRATED" "${T_ARGS[@]}" >"$T_TMP/v.log" 2>&1 &
T_PID[v]=$!
for ((i = 0; i < 300; i++)); do
	[[ -S $sock ]] && [[ $(t_json v status 2>/dev/null | jq -r .ok) == true ]] && break
	kill -0 "${T_PID[v]}" 2>/dev/null || fail "the daemon died under valgrind: $(cat "$vlog")"
	sleep 0.1
done
((i < 300)) || fail "the daemon under valgrind did not answer within 30 s"

t_wait_for 60 t_state_is v current
[[ $(ctl v --timeout 30 current) == "212c31d97f11 (head)" ]] || fail "current: $(ctl v current)"
ctl v --timeout 30 history -v >/dev/null || fail "history"
ctl v --timeout 30 log >/dev/null || fail "log"
ctl v --timeout 30 upgrade head --sql >/dev/null || fail "upgrade --sql"
ctl v --timeout 30 verify >/dev/null || fail "verify"
ctl v --timeout 30 downgrade base >/dev/null || fail "downgrade base"
[[ -z $(ctl v --timeout 30 current) ]] || fail "not at base"
ctl v --timeout 30 upgrade head >/dev/null || fail "upgrade head"
[[ $(ctl v --timeout 30 current) == "212c31d97f11 (head)" ]] || fail "not at head"
t_raw "$sock" 'not json' '{"id": 1, "op": "nosuch"}' '{"id": 2, "op": "status", "args": {"fresh": true}}' >/dev/null ||
	fail "raw requests"
"$F_PY" - "$sock" <<'EOF' || fail "hang-up client"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"op": "log", "args": {"limit": 100}}\n{"op": "wait", "args": {"timeout_ms": 100}}\n')
s.close()
EOF
sleep 1
rc=0
kill -TERM "${T_PID[v]}"
wait "${T_PID[v]}" || rc=$?
unset "T_PID[v]"
if ((rc != 0)) || grep -q 'definitely lost' "$vlog"; then
	cat "$vlog"
	fail "valgrind: exit $rc"
fi
ok "sample up/down under valgrind: exit 0, no memory errors, no definite leaks"
echo "# FIGURES valgrind: sample up/down/up + bad and abandoned requests: 0 errors, 0 bytes definitely lost"
