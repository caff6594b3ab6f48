#!/usr/bin/env bash
# Connection errors (issue 9, defect 12): a malformed URL or port is a
# configuration error at start (exit 78 naming the key, the value and its
# source); a database that is merely unreachable is retried with capped
# backoff while status shows the configured target and libpq's error.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

dir=$(t_migdir sample)
base="postgresql:///migrated_test?host=$PGHOST&user=$PGUSER"

# start78 ARGS...: the daemon must refuse to start with 78; stderr in $err
start78() {
	local rc=0
	timeout 10 "$MIGRATED" -m "$dir" -s "$T_TMP/x.sock" "$@" \
		>/dev/null 2>"$T_TMP/err" || rc=$?
	err=$(cat "$T_TMP/err")
	((rc == 78)) || fail "exit $rc, not 78, for $*: $err"
	[[ ! -e $T_TMP/x.sock ]] || fail "a socket was created"
}

start78 -d "$base&port=abc"
grep -q "database_url = '.*port=abc.*' (flag -d): port \"abc\" is not a port number" <<<"$err" ||
	fail "message: $err"
DATABASE_URL="$base&port=99999" start78
grep -q "(environment DATABASE_URL): port \"99999\"" <<<"$err" || fail "message: $err"
start78 -d "host=h1,h2 port=5432,5433,5434 dbname=db"
grep -q "3 ports for 2 hosts" <<<"$err" || fail "message: $err"
start78 -d "$base&hostaddr=not-an-address"
grep -q "hostaddr \"not-an-address\" is not a numeric IP address" <<<"$err" ||
	fail "message: $err"
PGPORT=70000 start78 -d "postgresql:///migrated_test?host=$PGHOST"
grep -q "connection setting port (PG\* environment or service file): port \"70000\"" <<<"$err" ||
	fail "message: $err"
ok "a malformed port, port list or hostaddr exits 78 naming value and source"

# a URL that libpq cannot parse: 78 at start with libpq's reason, and a
# password in it is masked
start78 -d "$base&bogus=1"
grep -q "database_url = '.*bogus=1' (flag -d): not a connection string or URI: invalid URI query parameter: \"bogus\"" <<<"$err" ||
	fail "message: $err"
DATABASE_URL="postgresql://u:hunter2%zz@h/db" start78
grep -q "database_url = 'postgresql://u:\*\*\*\*\*\*\*\*@h/db' (environment DATABASE_URL): not a connection string or URI" <<<"$err" ||
	fail "message: $err"
! grep -q hunter2 <<<"$err" || fail "the password is in the message: $err"
printf 'database_url = host=%s bogus\n' "$PGHOST" >"$T_TMP/bad.conf"
start78 -c "$T_TMP/bad.conf"
grep -q "database_url = 'host=.* bogus' (.*bad.conf.*): not a connection string or URI: .*bogus" <<<"$err" ||
	fail "message: $err"
ok "a URL or connection string that does not parse exits 78 naming it and its source"

# values libpq checks only when it connects: 78 at start, not retried
start78 -d "$base&sslmode=sideways"
grep -q "(flag -d): sslmode \"sideways\" is not one of libpq's values" <<<"$err" ||
	fail "message: $err"
start78 -d "$base&target_session_attrs=bogus"
grep -q "target_session_attrs \"bogus\" is not one of libpq's values" <<<"$err" ||
	fail "message: $err"
PGSSLMODE=nope start78 -d "$base"
grep -q "connection setting sslmode (PG\* environment or service file): sslmode \"nope\"" <<<"$err" ||
	fail "message: $err"
ok "an sslmode or target_session_attrs libpq does not know exits 78"

# ---- a database that does not exist yet: retried, reported -----------------
name="later_$$_$RANDOM"
printf 'reconnect_max_interval = 1s\n' >"$T_TMP/c.conf"
t_start later "postgresql:///$name?host=$PGHOST&port=$PGPORT&user=$PGUSER" "$dir" \
	-c "$T_TMP/c.conf"
st=$(t_json later status)
[[ $(jq -r .result.connected <<<"$st") == false ]] || fail "connected: $st"
[[ $(jq -r .result.state <<<"$st") == unknown ]] || fail "state: $st"
[[ $(jq -r .result.database.dbname <<<"$st") == "$name" ]] || fail "dbname: $st"
[[ $(jq -r .result.database.host <<<"$st") == "$PGHOST" ]] || fail "host: $st"
[[ $(jq -r .result.database.port <<<"$st") == "$PGPORT" ]] || fail "port: $st"
[[ $(jq -r .result.database.user <<<"$st") == "$PGUSER" ]] || fail "user: $st"
jq -e --arg n "$name" '.result.error | test("database \"" + $n + "\" does not exist") and (contains("\n") | not)' \
	<<<"$st" >/dev/null || fail "error: $st"
t_expect 75 ctl later -q status --check
ctl later status | grep -q "$name@$PGHOST:$PGPORT *not connected: .*does not exist" ||
	fail "human status: $(ctl later status)"
t_sql "postgresql:///postgres?host=$PGHOST&port=$PGPORT&user=$PGUSER" "CREATE DATABASE \"$name\""
t_wait_for 15 t_state_is later current
t_stop later
ok "an unreachable database: configured target and libpq's error in status, 75, then connects"
