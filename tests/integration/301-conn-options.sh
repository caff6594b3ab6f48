#!/usr/bin/env bash
# The user's connection settings reach the server (issue 9, defect 2):
# `options` in DATABASE_URL, and PGOPTIONS when the URL sets none, are kept;
# the daemon appends its own settings to them instead of replacing them.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# schemas URL NAME...: schemas the test role may create in, made by the
# operator (the superuser); app exists already for the least-privilege role
schemas() {
	local s
	for s in "${@:2}"; do
		t_sql_su "$1" "CREATE SCHEMA IF NOT EXISTS $s;
			GRANT USAGE, CREATE ON SCHEMA $s TO \"$T_USER\""
	done
}

db=$(t_newdb)
schemas "$db" app app2
dir=$(t_migdir)
# unqualified: lands in the first schema of search_path
t_rev "$dir" o1 none "CREATE TABLE seen AS SELECT
	current_setting('search_path') AS search_path,
	current_setting('client_connection_check_interval') AS check_interval,
	current_setting('work_mem') AS work_mem;" "DROP TABLE seen;" >/dev/null

where() { # where SCHEMA: "search_path|check_interval|work_mem" seen there
	t_sql "$db" "SELECT search_path || '|' || check_interval || '|' || work_mem FROM $1.seen"
}

# ---- options in the URL (two settings, percent-encoded) ---------------------
t_start url "$db&options=-csearch_path%3Dapp%20-cwork_mem%3D7MB" "$dir"
t_wait_for 15 t_state_is url current
[[ $(where app) == 'app|1s|7MB' ]] || fail "URL options: $(where app 2>&1)"
[[ $(t_sql "$db" "SELECT count(*) FROM pg_tables WHERE tablename = 'seen'") == 1 ]] ||
	fail "seen is in more than one schema"
t_stop url
ok "options in DATABASE_URL reach the server, with the daemon's own"

# ---- PGOPTIONS (the URL has none) --------------------------------------------
db2=$(t_newdb)
schemas "$db2" app2
PGOPTIONS='-c search_path=app2 -c work_mem=5MB' t_start env "$db2" "$dir"
t_wait_for 15 t_state_is env current
db=$db2
[[ $(where app2) == 'app2|1s|5MB' ]] || fail "PGOPTIONS: $(where app2 2>&1)"
t_stop env
ok "PGOPTIONS reaches the server, with the daemon's own"

# ---- the URL's options win over PGOPTIONS, as in libpq ------------------------
db3=$(t_newdb)
schemas "$db3" app app2
PGOPTIONS='-c search_path=app2' t_start both "$db3&options=-csearch_path%3Dapp" "$dir"
t_wait_for 15 t_state_is both current
db=$db3
[[ $(where app) == 'app|1s|4MB' ]] || fail "URL and PGOPTIONS: $(where app 2>&1)"
t_stop both
ok "the URL's options win over PGOPTIONS"

# ---- a service file's options (service named in the URL, or PGSERVICE) -------
db4=$(t_newdb)
schemas "$db4" app2
printf '[mig]\noptions=-c search_path=app2 -c work_mem=3MB\n' >"$T_TMP/pg_service.conf"
PGSERVICEFILE=$T_TMP/pg_service.conf t_start svc "$db4&service=mig" "$dir"
t_wait_for 15 t_state_is svc current
db=$db4
[[ $(where app2) == 'app2|1s|3MB' ]] || fail "service file (URL): $(where app2 2>&1)"
t_stop svc
db5=$(t_newdb)
schemas "$db5" app2
PGSERVICEFILE=$T_TMP/pg_service.conf PGSERVICE=mig t_start svc2 "$db5" "$dir"
t_wait_for 15 t_state_is svc2 current
db=$db5
[[ $(where app2) == 'app2|1s|3MB' ]] || fail "service file (PGSERVICE): $(where app2 2>&1)"
t_stop svc2
ok "a service file's options reach the server, with the daemon's own"
