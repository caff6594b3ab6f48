#!/usr/bin/env bash
# Durations are measured on CLOCK_MONOTONIC (issue 9, item 13): with the
# daemon's wall clock running 20 times too fast (libfaketime, the monotonic
# clock left alone), a 2 s step still reports about 2 s, in status
# (running.elapsed_ms) and in its result (duration_ms). Each is compared
# with the time this test itself saw pass (its clock is not faked), not
# with a fixed bound: a loaded machine stretches both alike, while a
# daemon on the fake wall clock reports 20 times what the test saw.
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
t0=$(date +%s%3N)
ctl a --json upgrade head >"$T_TMP/up.json" 2>/dev/null &
up=$!
t_wait_for 10 eval '[[ $(t_field a .result.running) != null ]]'
sleep 1
el=$(t_field a .result.running.elapsed_ms)
seen_el=$(($(date +%s%3N) - t0))
wait $up || fail "upgrade failed: $(cat "$T_TMP/up.json")"
seen_dur=$(($(date +%s%3N) - t0))
dur=$(jq -s '.[-1].result.steps[0].duration_ms' "$T_TMP/up.json")
echo "# elapsed_ms $el (the test saw $seen_el ms pass); step duration_ms $dur (the test saw $seen_dur ms)"
# the step started after t0 and was still running when status answered
((el >= 0 && el <= seen_el)) || fail "running.elapsed_ms $el follows the wall clock (the test saw $seen_el ms)"
# the step sleeps 2 s (a lower bound) and ended before the client did
((dur >= 1900 && dur <= seen_dur)) || fail "duration_ms $dur follows the wall clock (the test saw $seen_dur ms)"
t_stop a
ok "durations on the monotonic clock: elapsed $el ms, step $dur ms"
