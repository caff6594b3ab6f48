#!/usr/bin/env bash
# The client is easy to discover (issue 10 item 9): `help [COMMAND]` and
# `COMMAND --help`, "did you mean" for mistyped commands and options, and
# a default timeout: a daemon that does not answer (SIGSTOP) makes read
# commands exit 75 within seconds, never hang.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1
unset MIGRATIONS_DIR MIGRATED_SOCKET

# run ARGS...: migratectl; stdout in $out, stderr in $err, status in $rc.
run() {
	rc=0
	"$MIGRATECTL" "$@" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
	out=$(cat "$T_TMP/out")
	err=$(cat "$T_TMP/err")
}

# ---- a stopped daemon: start the slow checks first, in the background -----
db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
kill -STOP "$(t_pid a)"
# (timeout 60: a client that hangs is killed, exit 124, and fails below)
stopped() {
	local t0 rc=0
	t0=$(date +%s%N)
	timeout 60 "$MIGRATECTL" -s "$(t_sock a)" "$@" >/dev/null 2>"$T_TMP/stopped-$1.err" || rc=$?
	echo "$rc $((($(date +%s%N) - t0) / 1000000))" >"$T_TMP/stopped-$1"
}
stopped status &
p1=$!
stopped history &
p2=$!
stopped log &
p3=$!

# ---- help -------------------------------------------------------------------
run help
((rc == 0)) || fail "help exited $rc"
grep -q '^Daemon commands:' <<<"$out" || fail "help lists no commands: $out"
grep -q "help COMMAND" <<<"$out" || fail "help does not point at help COMMAND"
run --help
[[ $out == "$(cat "$T_TMP/out")" && $rc == 0 ]] || fail "--help"
run help
awk 'length > 79 { bad = 1 } END { exit bad }' "$T_TMP/out" ||
	fail "help has lines over 79 columns"
for verb in status current heads history log upgrade downgrade stamp verify \
    check wait reload cancel resolve lint revision diff merge help; do
	run help "$verb"
	((rc == 0)) || fail "help $verb exited $rc: $err"
	grep -q "^Usage: migratectl $verb" <<<"$out" || fail "help $verb: $out"
	helped=$out
	run "$verb" --help
	((rc == 0)) || fail "$verb --help exited $rc: $err"
	[[ $out == "$helped" ]] || fail "$verb --help differs from help $verb: $out"
	awk 'length > 79 { bad = 1 } END { exit bad }' "$T_TMP/out" ||
		fail "$verb --help has lines over 79 columns"
done
run help upgrade
grep -q -- '--atomic' <<<"$out" || fail "help upgrade does not explain --atomic"
grep -q -- '--sql' <<<"$out" || fail "help upgrade does not explain --sql"
run -s /nonexistent downgrade --help
((rc == 0)) || fail "downgrade --help without its TARGET exited $rc"
ok "help, help COMMAND and COMMAND --help"

# ---- did you mean -------------------------------------------------------------
run stauts
((rc == 2)) || fail "a mistyped command exited $rc"
grep -qx "Did you mean 'status'?" <<<"$err" || fail "no suggestion: $err"
run upgarde head
((rc == 2)) && grep -qx "Did you mean 'upgrade'?" <<<"$err" || fail "upgarde: $rc $err"
run help histroy
((rc == 2)) && grep -qx "Did you mean 'history'?" <<<"$err" || fail "help histroy: $rc $err"
run frobnicate
((rc == 2)) || fail "frobnicate exited $rc"
grep -q "Did you mean" <<<"$err" && fail "a suggestion for nonsense: $err"
run -s /nonexistent upgrade --atomc
((rc == 2)) && grep -qx "Did you mean '--atomic'?" <<<"$err" || fail "--atomc: $rc $err"
grep -q "migratectl upgrade --help" <<<"$err" || fail "no pointer to upgrade --help: $err"
run -s /nonexistent downgrade
((rc == 2)) && grep -q "migratectl downgrade --help" <<<"$err" || fail "missing argument: $rc $err"
ok "did you mean: commands and options"

# ---- -c FILE: the daemon's settings file gives the directory and socket -----------
conf=$T_TMP/migrated.conf
cat >"$conf" <<CONF
# as the daemon reads it
database_url = $db
migrations_dir = $dir   # a comment
socket_path = '$T_TMP/conf.sock'
lock_timeout = 5s
CONF
mkdir "$T_TMP/elsewhere"
cd "$T_TMP/elsewhere"
run -c "$conf" lint
((rc == 0)) && grep -q '^3 revisions, 1 head: 212c31d97f11 ok' <<<"$out" || fail "-c lint: $rc $out $err"
run --config="$conf" history --dir "$dir"
((rc == 0)) && grep -q '212c31d97f11 (head)' <<<"$out" || fail "-c history --dir: $rc $out $err"
run -c "$conf" revision -m "from the settings file"
((rc == 0)) && [[ $out == "$dir"/*_from_the_settings_file.sql && -f $out ]] || fail "-c revision: $rc $out $err"
rm -f "$out"
empty=$(t_migdir)
run -c "$conf" lint --dir "$empty"
grep -q '^0 revisions' <<<"$out" || fail "--dir does not win over -c: $out $err"
MIGRATIONS_DIR=$empty run -c "$conf" lint
grep -q '^0 revisions' <<<"$out" || fail "MIGRATIONS_DIR does not win over -c: $out $err"
run -c "$conf" status
((rc == 69)) && grep -q "$T_TMP/conf.sock" <<<"$err" || fail "-c status did not use socket_path: $rc $err"
MIGRATED_SOCKET=$T_TMP/env.sock run -c "$conf" status
grep -q "$T_TMP/env.sock" <<<"$err" || fail "MIGRATED_SOCKET does not win over -c: $err"
run -c "$conf" -s "$T_TMP/flag.sock" status
grep -q "$T_TMP/flag.sock" <<<"$err" || fail "-s does not win over -c: $err"
echo "migrations_dir" >>"$conf"
run -c "$conf" lint
((rc == 2)) && grep -q "^migratectl: $conf:6: expected 'key = value'" <<<"$err" || fail "-c with a bad line: $rc $err"
run -c "$T_TMP/absent.conf" lint
((rc == 2)) && grep -q "absent.conf: No such file" <<<"$err" || fail "-c with no file: $rc $err"
cd "$T_TMP"
# the daemon reads the same file the same way
"$MIGRATED" -c "$conf" --once >/dev/null 2>"$T_TMP/once.err" && fail "the daemon accepted the bad line"
grep -q "$conf:6: expected 'key = value'" "$T_TMP/once.err" || fail "the daemon: $(cat "$T_TMP/once.err")"
ok "-c FILE: migrations_dir and socket_path from the daemon's settings"

# ---- a stopped daemon: 75 within seconds ------------------------------------------
wait "$p1" "$p2" "$p3"
for v in status history log; do
	read -r rc ms <"$T_TMP/stopped-$v"
	((rc == 75)) || fail "$v on a stopped daemon exited $rc: $(cat "$T_TMP/stopped-$v.err")"
	# the default is 10 s, not less (a loaded machine only makes it longer)
	((ms >= 9000)) || fail "$v on a stopped daemon gave up after $ms ms"
	grep -q "no answer" "$T_TMP/stopped-$v.err" || fail "$v: $(cat "$T_TMP/stopped-$v.err")"
done
# --timeout overrides the default, both ways: with the default's 10 s,
# timeout 5 would end it first (exit 124, not 75)
t_expect 75 timeout 5 "$MIGRATECTL" -s "$(t_sock a)" --timeout 0.5 current
kill -CONT "$(t_pid a)"
ctl a status >/dev/null || fail "status after SIGCONT"
ok "reads on a stopped daemon exit 75 after the default 10 s"

# ---- nobody listening: 69 at once ---------------------------------------------------
# (69, not 75: the client did not wait for its connect timeout)
t_stop a
t_expect 69 "$MIGRATECTL" -s "$(t_sock a)" status
t_expect 69 "$MIGRATECTL" -s "$T_TMP/none.sock" current
ok "no daemon: exit 69 at once"
