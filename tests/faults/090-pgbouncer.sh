#!/usr/bin/env bash
# PgBouncer (Debian's) between the daemons and PostgreSQL, started by the
# test on a private Unix socket (auth_type trust, the daemon's `options`
# startup parameter ignored):
#  - pool_mode = transaction: a session-level advisory lock means nothing
#    there, so the daemon must refuse to lead, saying why (status
#    lock_error, a log line naming transaction pooling), apply nothing, and
#    keep serving reads; it must not leave the lock behind on the pool, a
#    second daemon through the pool must not lead either, and a daemon
#    connected directly must still be able to lead (all three failed until
#    3caac35);
#  - pool_mode = session: the daemon leads and migrates as directly.
source "$TOP_SRCDIR/tests/faults/lib.sh"

PGB=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[[ -x $PGB ]] || fail "needs Debian's pgbouncer (scripts/deps --ci)"

# pgbouncer refuses to run as root: use the cluster's owner then
as_owner=()
if [[ $(id -u) == 0 ]]; then
	as_owner=(runuser -u "$(stat -c %U "$PGHOST")" --)
fi

bdir=$(mktemp -d "$T_TMP/pgb.XXXXXX")
chmod 0777 "$bdir"
bport=$((20000 + RANDOM % 20000))
bpid=

# bouncer MODE: (re)start pgbouncer in pool_mode MODE
bouncer() {
	stop_bouncer
	cat >"$bdir/pgbouncer.ini" <<EOF
[databases]
* = host=$PGHOST port=$PGPORT

[pgbouncer]
listen_addr =
listen_port = $bport
unix_socket_dir = $bdir
auth_type = trust
auth_file = $bdir/userlist.txt
pool_mode = $1
default_pool_size = 4
max_client_conn = 100
ignore_startup_parameters = options,extra_float_digits
logfile = $bdir/pgbouncer.log
pidfile = $bdir/pgbouncer.pid
EOF
	printf '"%s" ""\n' "$PGUSER" "$T_USER" >"$bdir/userlist.txt"
	chmod 0644 "$bdir"/*
	"${as_owner[@]}" "$PGB" -d "$bdir/pgbouncer.ini" >>"$bdir/start.log" 2>&1 ||
		fail "pgbouncer did not start: $(cat "$bdir/start.log" "$bdir/pgbouncer.log" 2>/dev/null)"
	t_wait_for 10 test -S "$bdir/.s.PGSQL.$bport"
	bpid=$(cat "$bdir/pgbouncer.pid")
}
stop_bouncer() {
	[[ -n $bpid ]] || return 0
	kill -TERM "$bpid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do kill -0 "$bpid" 2>/dev/null || break; sleep 0.1; done
	bpid=
}
trap 'stop_bouncer; t_cleanup' EXIT

db=$(t_newdb)
name=${db#postgresql:///}
name=${name%%\?*}
via="postgresql:///$name?host=$bdir&port=$bport&user=$T_USER"
dir=$(t_migdir sample)

# ---- transaction pooling: refuse to lead ---------------------------------------------
bouncer transaction
[[ $(psql -X -qAt -d "$via" -c "SELECT 1") == 1 ]] || fail "pgbouncer does not pass queries"
t_start a "$via" "$dir"
t_wait_for 10 eval '[[ $(t_field a .result.connected) == true ]]'
t_wait_for 15 eval '[[ $(t_field a .result.lock_error) != null ]]'
st=$(t_json a status)
[[ $(jq -r .result.role <<<"$st") == standby ]] || fail "a leads through transaction pooling: $st"
err=$(jq -r .result.lock_error <<<"$st")
grep -qi 'transaction-pooling\|transaction pooling' <<<"$err" || fail "lock_error does not name the cause: $st"
grep -qi 'refusing to lead.*pool_mode = transaction' "$T_TMP/a.log" || fail "no log line naming the cause"
[[ $(t_sql "$db" "SELECT to_regclass('documents') IS NULL") == t ]] || fail "something was applied through transaction pooling"
# reads still work, changes get not_leader
t_expect 0 ctl a -q history
t_expect 75 ctl a -q upgrade 2>/dev/null
echo "# lock_error: $err"
ok "pool_mode = transaction: a refuses to lead (lock_error, log), nothing applied, reads served"

# Refusing must not leave the lock on PgBouncer's pooled server connection
# (it did: the lock was taken before the check), held for nobody ...
holder=$(f_lock_row "$db")
[[ -z $holder ]] || fail "the refused daemon's advisory lock stays on a pooled backend ($holder)"
# ... where a second daemon through the pool could get that connection and
# "take" the lock again (advisory locks are re-entrant per backend), pass
# the checks and lead through transaction pooling ...
t_start b "$via" "$dir"
f_roles 4 "$(t_sock a)" "$(t_sock b)" >"$T_TMP/roles"
[[ $(head -2 "$T_TMP/roles" | tr '\n' ' ') == "standby standby " ]] ||
	fail "a second daemon led through transaction pooling: $(head -2 "$T_TMP/roles" | tr '\n' '/')"
t_stop a
t_stop b
# ... and a daemon connected directly could never lead.
t_start direct "$db" "$dir" --no-auto-migrate
t_wait_for 5 eval '[[ $(t_field direct .result.role) == leader ]]'
t_stop direct
ok "no lock left on the pool: a second pooled daemon stays standby, a direct one leads"

# ---- session pooling: works --------------------------------------------------------------
bouncer session
t_start a "$via" "$dir"
t_wait_for 15 t_state_is a current
[[ $(t_field a .result.role) == leader ]] || fail "a does not lead through session pooling"
[[ $(t_field a .result.lock_error) == null ]] || fail "lock_error: $(t_field a .result.lock_error)"
[[ $(t_sql "$db" "SELECT count(*) FROM system_config") -gt 0 ]] || fail "the sample was not applied"
t_expect 0 ctl a -q downgrade base
t_expect 0 ctl a -q upgrade head
t_stop a
ok "pool_mode = session: leads, migrates, downgrades and upgrades"
echo "# FIGURES pgbouncer: transaction pooling refused (no lock left behind, 0 pooled leaders); session pooling works"
