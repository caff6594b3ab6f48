# shellcheck shell=bash
#
# tests/lib/daemon.sh -- helpers for integration tests: start real migrated
# daemons on private sockets, drive them with the real migratectl, assert.
#
# Needs: MIGRATED, MIGRATECTL (paths), a server from tests/lib/pg.sh
# (PGHOST etc. exported), jq. Source it at the top of a test:
#
#   source "$TOP_SRCDIR/tests/lib/daemon.sh"
#   db=$(t_newdb [OPTS])           fresh database, prints its URL (as the
#                                  test role, below); OPTS: more of CREATE
#                                  DATABASE (TEMPLATE template0 LOCALE ...)
#   dir=$(t_migdir)                fresh migrations dir (copy of the sample
#                                  with `t_migdir sample`)
#   t_rev DIR ID DOWN 'UP SQL' ['DOWN SQL'|-] [HEADER...]
#                                  write DIR/ID_x.sql (DOWN: none, id, a,b)
#   t_start NAME URL DIR [ARGS...] start migrated NAME; waits for its socket
#                                  (ARGS pass through t_args)
#   t_args ARGS...                 T_ARGS=(ARGS) with the config file (-c)
#                                  replaced by t_conf's merge, or added:
#                                  use for every migrated run by hand
#   t_conf [FILE]                  a new config file: the harness's
#                                  settings (the role's schema), then FILE
#   t_migrated ARGS...             "$MIGRATED" "${T_ARGS[@]}" in the
#                                  foreground (e.g. --once); in the
#                                  background, call t_args, then $MIGRATED
#   t_stop NAME                    SIGTERM, wait, check exit 0
#   t_kill NAME                    SIGKILL
#   ctl NAME ARGS...               migratectl -s NAME's socket ARGS
#   t_json NAME ARGS...            migratectl --json ..., stdout only
#   t_expect CODE CMD...           run CMD, fail unless it exits CODE
#   t_wait_for SECS CMD...         retry CMD until it succeeds
#   t_sql URL SQL                  psql -qAt on URL (as the URL's role)
#   t_sql_su URL SQL               the same as the cluster's superuser
#   t_raw SOCK LINE...             raw protocol client: send the lines on
#                                  one connection, print every reply line,
#                                  exit 0 once each has its final line
#   t_notify_listen NAME           an sd_notify listener on
#                                  $T_TMP/NAME.notify (NOTIFY_SOCKET)
#   t_notify_msgs NAME             the lines it received, in order
#   t_notify_has NAME REGEX        a received line matches
#   fail MSG / ok MSG              report
#   t_skip MSG                     this test cannot run here: print
#                                  "SKIP: MSG", exit 77 (counted skipped)
#
# The role (TEST_ROLE): by default (`least`) t_newdb makes each database for
# tests/lib/pg.sh's least-privilege role (pg_createdb_app: LOGIN, CONNECT,
# USAGE+CREATE on schema app, search_path app, public) and its URL connects
# as that role, so daemons, t_sql, psql -d URL and a foreign writer all run
# as it, the way production runs; t_conf tells the daemon
# version_table_schema = app. T_USER and T_SCHEMA name them. What only a
# superuser may do goes through t_sql_su. TEST_ROLE=superuser runs
# everything as the cluster's superuser in schema public.

set -euo pipefail

# shellcheck source=pg.sh
source "$TOP_SRCDIR/tests/lib/pg.sh"
: "${MIGRATED:?MIGRATED must name the daemon binary}"
: "${MIGRATECTL:?MIGRATECTL must name the client binary}"
T_TMP=$(mktemp -d /tmp/migtest.XXXXXX)
chmod 755 "$T_TMP"
declare -A T_PID=()
_t_dbn=0

t_cleanup() {
	local rc=$? n
	for n in "${!T_PID[@]}"; do
		kill -KILL "${T_PID[$n]}" 2>/dev/null || true
	done
	if ((rc != 0 && rc != 77)); then
		for n in "$T_TMP"/*.log; do
			[[ -f $n ]] || continue
			echo "---- $(basename "$n") (last 60 lines)"
			tail -n 60 "$n"
		done
	fi
	rm -rf "$T_TMP"
	return $rc
}
trap t_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() {
	echo "ok - $*"
}

t_skip() {
	echo "SKIP: $*"
	exit 77
}

TEST_ROLE=${TEST_ROLE:-least}
case $TEST_ROLE in
least)
	T_USER=${PG_APP_ROLE:-migrator}
	T_SCHEMA=${PG_APP_SCHEMA:-app}
	;;
superuser)
	T_USER=$PGUSER
	T_SCHEMA=public
	;;
*)
	echo "daemon.sh: TEST_ROLE must be least or superuser" >&2
	exit 2
	;;
esac
export TEST_ROLE T_USER T_SCHEMA

t_newdb() {
	_t_dbn=$((_t_dbn + 1))
	local name="t_$$_${_t_dbn}_$RANDOM"
	if [[ $TEST_ROLE == superuser ]]; then
		pg_createdb "$name" "${1:-}"
	else
		pg_createdb_app "$name" "${1:-}"
	fi
}

t_sql() {
	psql -X -qAt -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# t_sql_su URL SQL: t_sql on URL's database as the superuser.
t_sql_su() {
	local url
	url=$(sed -E "s/([?&])user=[^&]*/\1user=$PGUSER/" <<<"$1")
	t_sql "$url" "$2"
}

# t_conf [FILE]: print the path of a new config file holding the harness's
# settings followed by FILE's lines (which win). A FILE that does not
# exist is printed unchanged, for the daemon to complain about.
t_conf() {
	local f
	if [[ -n ${1:-} && ! -f $1 ]]; then
		echo "$1"
		return 0
	fi
	f=$(mktemp "$T_TMP/conf.XXXXXX")
	{
		echo "# tests/lib/daemon.sh (TEST_ROLE=$TEST_ROLE)"
		echo "version_table_schema = $T_SCHEMA"
		[[ -z ${1:-} ]] || cat -- "$1"
	} >"$f"
	echo "$f"
}

# t_args ARGS...: set T_ARGS to migrated's ARGS with the config file
# merged by t_conf (-c FILE, --config FILE, --config=FILE), or with
# -c $(t_conf) in front when there is none.
t_args() {
	local seen=0
	T_ARGS=()
	while (($# > 0)); do
		case $1 in
		-c | --config)
			T_ARGS+=(-c "$(t_conf "${2:-}")")
			seen=1
			shift $(($# > 1 ? 2 : 1))
			continue
			;;
		--config=*)
			T_ARGS+=(-c "$(t_conf "${1#--config=}")")
			seen=1
			;;
		*) T_ARGS+=("$1") ;;
		esac
		shift
	done
	((seen)) || T_ARGS=(-c "$(t_conf)" "${T_ARGS[@]}")
}

t_migrated() {
	t_args "$@"
	"$MIGRATED" "${T_ARGS[@]}"
}

t_migdir() {
	local d
	d=$(mktemp -d "$T_TMP/mig.XXXXXX")
	if [[ ${1:-} == sample ]]; then
		cp "$TOP_SRCDIR"/migrations/versions/*.sql "$d/"
	fi
	echo "$d"
}

# t_rev DIR ID DOWN UPSQL [DOWNSQL|-] [EXTRA HEADER LINES...]
t_rev() {
	local dir=$1 id=$2 down=$3 up=$4 dn=${5:--} f h
	shift 4
	(($# > 0)) && shift
	f="$dir/${id}_rev.sql"
	{
		echo "-- revision: $id"
		echo "-- down_revision: $down"
		echo "-- message: revision $id"
		for h in "$@"; do echo "-- $h"; done
		echo
		echo "-- +upgrade"
		printf '%s\n' "$up"
		if [[ $dn != - ]]; then
			echo
			echo "-- +downgrade"
			printf '%s\n' "$dn"
		fi
	} >"$f"
	echo "$f"
}

t_sock() {
	echo "$T_TMP/$1.sock"
}

# t_start NAME URL DIR [ARGS...]
t_start() {
	local name=$1 url=$2 dir=$3 i
	shift 3
	t_args "$@"
	"$MIGRATED" -d "$url" -m "$dir" -s "$(t_sock "$name")" -v "${T_ARGS[@]}" \
		>>"$T_TMP/$name.log" 2>&1 &
	T_PID[$name]=$!
	for ((i = 0; i < 100; i++)); do
		if [[ -S $(t_sock "$name") ]] &&
			"$MIGRATECTL" -s "$(t_sock "$name")" -q status >/dev/null 2>&1; then
			break
		fi
		local rc=0
		"$MIGRATECTL" -s "$(t_sock "$name")" -q status >/dev/null 2>&1 || rc=$?
		((rc != 69)) && [[ -S $(t_sock "$name") ]] && break
		kill -0 "${T_PID[$name]}" 2>/dev/null || fail "daemon $name died at start"
		sleep 0.1
	done
	((i < 100)) || fail "daemon $name did not open its socket"
	# Settle: give it up to 5 s to read the database and for some daemon
	# to lead, so a test's first change does not race the election: a
	# daemon that holds the lock but is still checking its tables is not
	# the leader yet (a change then gets not_leader). A daemon that reports
	# why it cannot (its connection failed: error; it may not lead:
	# lock_error) goes on at once.
	local end=$((SECONDS + 5))
	while ((SECONDS <= end)); do
		"$MIGRATECTL" -s "$(t_sock "$name")" --json status 2>/dev/null |
			jq -e --arg me ":${T_PID[$name]}" '.result |
				(.state != "unknown" and (.role == "leader" or
				(.leader != null and
				 ((.leader.application_name // "") | endswith($me) | not)))) or
				.error != null or .lock_error != null' \
				>/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 0
}

t_stop() {
	local name=$1 rc=0
	kill -TERM "${T_PID[$name]}"
	wait "${T_PID[$name]}" || rc=$?
	unset "T_PID[$name]"
	((rc == 0)) || fail "daemon $name exited $rc after SIGTERM"
}

t_kill() {
	kill -KILL "${T_PID[$1]}" 2>/dev/null || true
	wait "${T_PID[$1]}" 2>/dev/null || true
	unset "T_PID[$1]"
}

t_pid() {
	echo "${T_PID[$1]}"
}

ctl() {
	local name=$1
	shift
	"$MIGRATECTL" -s "$(t_sock "$name")" "$@"
}

t_json() {
	local name=$1
	shift
	"$MIGRATECTL" -s "$(t_sock "$name")" --json "$@" 2>/dev/null
}

# t_field NAME JQ-EXPR: a field of `status` (JSON reply: .ok, .result)
t_field() {
	t_json "$1" status | jq -r "$2"
}

t_expect() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	((rc == want)) || fail "expected exit $want, got $rc: $*"
}

t_wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out after ${secs}s waiting for: $*"
}

# t_state_is NAME STATE (fresh)
t_state_is() {
	[[ $(t_json "$1" status --fresh | jq -r .result.state) == "$2" ]]
}

t_raw() {
	"$(command -v /usr/bin/python3 python3 | head -n 1)" - "$@" <<'PYEOF'
import json, socket, sys, time
path, lines = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(path)
s.sendall(b"".join(l.encode() + b"\n" for l in lines))
buf, finals, end = b"", 0, time.time() + 15
while finals < len(lines) and time.time() < end:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        print(line.decode())
        if "ok" in json.loads(line):
            finals += 1
sys.exit(0 if finals == len(lines) else 1)
PYEOF
}

# t_notify_listen NAME: a listener on $T_TMP/NAME.notify writing each line
# it receives to $T_TMP/NAME.msgs as "MONOTONIC_SECONDS LINE".
t_notify_listen() {
	local ns=$T_TMP/$1.notify
	python3 -u - "$ns" "$T_TMP/$1.msgs" >"$T_TMP/$1-listener.log" 2>&1 <<-'EOF' &
	import socket, sys, time
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sys.argv[1])
	with open(sys.argv[2], "a", buffering=1) as out:
	    while True:
	        data = s.recv(65536).decode()
	        for line in data.split("\n"):
	            out.write("%.3f %s\n" % (time.monotonic(), line))
	EOF
	T_PID[$1-listener]=$!
	t_wait_for 10 test -S "$ns"
	: >>"$T_TMP/$1.msgs"
}

# t_notify_msgs NAME: the lines received so far, without the times.
t_notify_msgs() {
	cut -d' ' -f2- "$T_TMP/$1.msgs"
}

# t_notify_has NAME REGEX: a received line matches.
t_notify_has() {
	t_notify_msgs "$1" | grep -Eq "$2"
}
