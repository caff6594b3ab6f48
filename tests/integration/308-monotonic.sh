#!/usr/bin/env bash
# Durations are measured on CLOCK_MONOTONIC (issue 9, item 13): with the
# daemon's wall clock running 20 times too fast (libfaketime, the monotonic
# clock left alone), a 2 s step still reports about 2 s, in status
# (running.elapsed_ms) and in its result (duration_ms).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

lib=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[[ -n $lib ]] || t_skip "libfaketime is not installed (apt-get install libfaketime)"
if ldd "$MIGRATED" 2>/dev/null | grep libasan >/dev/null; then
	t_skip "libfaketime and AddressSanitizer do not preload together"
fi

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" m1 none "SELECT pg_sleep(2);" "SELECT 1;" >/dev/null
LD_PRELOAD=$lib FAKETIME='+0 x20' FAKETIME_DONT_FAKE_MONOTONIC=1 \
	DISABLE_AUTO_MIGRATIONS=true t_start a "$db" "$dir"
t_wait_for 15 t_state_is a behind
ctl a --json upgrade head >"$T_TMP/up.json" 2>/dev/null &
up=$!
t_wait_for 10 eval '[[ $(t_field a .result.running) != null ]]'
sleep 1
el=$(t_field a .result.running.elapsed_ms)
wait $up || fail "upgrade failed: $(cat "$T_TMP/up.json")"
dur=$(jq -s '.[-1].result.steps[0].duration_ms' "$T_TMP/up.json")
echo "# elapsed_ms after about 1 s: $el; step duration_ms: $dur"
((el < 5000)) || fail "running.elapsed_ms $el follows the wall clock"
((dur >= 1900 && dur < 10000)) || fail "duration_ms $dur follows the wall clock"
t_stop a
ok "durations on the monotonic clock: elapsed $el ms, step $dur ms"
