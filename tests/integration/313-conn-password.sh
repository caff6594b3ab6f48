#!/usr/bin/env bash
# A wrong password (issue 9, defect 12): the daemon keeps retrying with
# capped backoff; status shows the configured database, host, port and
# user with libpq's first error line, state unknown, `status --check` 75;
# once the password file holds the right password, it connects and
# migrates. The cluster trusts every role but PG_PASSWORD_ROLE
# (tests/lib/pg.sh), which must give its password (scram-sha-256).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

role=${PG_PASSWORD_ROLE:?tests/lib/pg.sh sets PG_PASSWORD_ROLE}
db=$(t_newdb)
name=$(sed -E 's|^postgresql:///([^?]*).*|\1|' <<<"$db")
# the role as production has it: LOGIN, CONNECT, USAGE+CREATE on its schema
t_sql_su "$db" "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE
	rolname = '$role') THEN CREATE ROLE \"$role\" LOGIN; END IF; END\$\$"
t_sql_su "$db" "ALTER ROLE \"$role\" PASSWORD 'right-$$'"
t_sql_su "$db" "GRANT CONNECT ON DATABASE \"$name\" TO \"$role\";
	GRANT USAGE, CREATE ON SCHEMA \"$T_SCHEMA\" TO \"$role\""
url="postgresql:///$name?host=$PGHOST&port=$PGPORT&user=$role"
# the harness's own check that the password is asked for at all
PGPASSWORD=wrong t_expect 2 psql -X -qAt -d "$url" -c 'SELECT 1' 2>/dev/null

export PGPASSFILE=$T_TMP/pgpass
printf '*:*:*:%s:wrong-%s\n' "$role" "$$" >"$PGPASSFILE"
chmod 600 "$PGPASSFILE"
dir=$(t_migdir)
t_rev "$dir" pw1 none "CREATE TABLE pw_1 (id int);" "DROP TABLE pw_1;" >/dev/null
printf 'reconnect_max_interval = 1s\n' >"$T_TMP/c.conf"
t_start a "$url" "$dir" -c "$T_TMP/c.conf"

st=$(t_json a status)
[[ $(jq -r .result.connected <<<"$st") == false ]] || fail "connected: $st"
[[ $(jq -r .result.state <<<"$st") == unknown ]] || fail "state: $st"
[[ $(jq -r .result.database.dbname <<<"$st") == "$name" ]] || fail "dbname: $st"
[[ $(jq -r .result.database.host <<<"$st") == "$PGHOST" ]] || fail "host: $st"
[[ $(jq -r .result.database.port <<<"$st") == "$PGPORT" ]] || fail "port: $st"
[[ $(jq -r .result.database.user <<<"$st") == "$role" ]] || fail "user: $st"
jq -e --arg r "$role" '.result.error |
	test("password authentication failed for user \"" + $r + "\"") and
	(contains("\n") | not)' <<<"$st" >/dev/null || fail "error: $st"
! grep -q "wrong-$$" <<<"$st" || fail "the password is in status: $st"
t_expect 75 ctl a -q status --check
ctl a status | grep -q "$name@$PGHOST:$PGPORT *not connected: .*password authentication failed" ||
	fail "human status: $(ctl a status)"
ok "a wrong password: configured target and libpq's error in status, state unknown, 75"

# Retried, the delays doubling from 100 ms up to reconnect_max_interval
# and no further: wait for retries past the cap, then read the delays the
# read session logged ("cannot connect ..., retrying in N ms").
delays() {
	sed -nE 's/.*cannot connect to the database: .*retrying in ([0-9]+) ms.*/\1/p' \
		"$T_TMP/a.log"
}
t_wait_for 30 eval '(($(delays | grep -c "^1000$") >= 3))'
mapfile -t d < <(delays)
echo "# read session's retry delays (ms): ${d[*]}"
for ((i = 0; i < ${#d[@]}; i++)); do
	((d[i] <= 1000)) || fail "delay ${d[i]} ms over reconnect_max_interval: ${d[*]}"
	((i == 0 || d[i] >= d[i - 1])) || fail "delays do not grow to the cap: ${d[*]}"
done
((d[0] < 1000)) || fail "no backoff below the cap: ${d[*]}"
n=$(grep -c "password authentication failed for user \"$role\"" "$PG_LOGFILE")
((n >= ${#d[@]})) || fail "the server saw $n failed logins for ${#d[@]} retries"
! grep -q "wrong-$$" "$T_TMP/a.log" || fail "the password is in the log"
t_expect 75 ctl a -q status --check
ok "retried with capped backoff: ${#d[@]} retries, delays ${d[0]}..${d[-1]} ms"

# The operator fixes the password file: the next retry connects.
printf '*:*:*:%s:right-%s\n' "$role" "$$" >"$PGPASSFILE"
t_wait_for 15 t_state_is a current
st=$(t_json a status)
[[ $(jq -r .result.connected <<<"$st") == true ]] || fail "connected: $st"
[[ $(jq -r '.result.error // empty' <<<"$st") == "" ]] || fail "error kept: $st"
t_expect 0 ctl a -q status --check
[[ $(t_sql_su "$db" "SELECT version_num FROM \"$T_SCHEMA\".alembic_version") == pw1 ]] ||
	fail "not migrated"
t_stop a
ok "with the right password: connected, migrated, status --check 0"
