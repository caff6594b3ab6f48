#!/usr/bin/env bash
# A least-privilege role leads (issue 9, defect 1): no superuser, no CREATE
# on the database, only USAGE (+ CREATE while the state tables are missing)
# on the version table's schema. CREATE SCHEMA is never run for a schema
# that exists; a missing privilege is named in status (lock_error) and the
# log, and once granted the daemon leads without a restart.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# its own roles and grants: a database as the superuser (not t_newdb's)
db=$(pg_createdb "t_lp_$$_$RANDOM")
dbname=${db#postgresql:///}
dbname=${dbname%%\?*}
role="lp_$$_$RANDOM"
rurl=${db/user=$PGUSER/user=$role}
t_sql "$db" "CREATE ROLE $role LOGIN;
	REVOKE ALL ON DATABASE \"$dbname\" FROM PUBLIC;
	GRANT CONNECT ON DATABASE \"$dbname\" TO $role;
	REVOKE ALL ON SCHEMA public FROM PUBLIC;
	CREATE SCHEMA app; GRANT USAGE, CREATE ON SCHEMA app TO $role;
	CREATE SCHEMA app2; GRANT USAGE ON SCHEMA app2 TO $role;
	CREATE SCHEMA app4; GRANT USAGE ON SCHEMA app4 TO $role;"
[[ $(t_sql "$db" "SELECT has_database_privilege('$role', '$dbname', 'CREATE')") == f ]] ||
	fail "the role may CREATE on the database"

conf() { # conf SCHEMA: a config file for the version table in SCHEMA
	printf 'version_table_schema = %s\nreconnect_max_interval = 1s\n' "$1" \
		>"$T_TMP/$1.conf"
	echo "$T_TMP/$1.conf"
}
is_leader() { [[ $(t_field "$1" .result.role) == leader ]]; }
lock_error_has() { t_field "$1" .result.lock_error | grep -qF -- "$2"; }

# ---- 1: USAGE+CREATE on an existing schema: leads, creates its tables ----
dir=$(t_migdir)
t_rev "$dir" a1 none "CREATE TABLE app.t1 (id int);" "DROP TABLE app.t1;" >/dev/null
t_start one "$rurl" "$dir" -c "$(conf app)"
t_wait_for 15 t_state_is one current
is_leader one || fail "one is not leader: $(t_json one status)"
[[ $(t_sql "$db" "SELECT tableowner FROM pg_tables WHERE schemaname = 'app' AND tablename = 'alembic_version'") == "$role" ]] ||
	fail "app.alembic_version not created by $role"
[[ $(t_sql "$db" "SELECT version_num FROM app.alembic_version") == a1 ]] ||
	fail "a1 not recorded"
! grep -q 'permission denied' "$T_TMP/one.log" || fail "permission denied in the log"
t_stop one
# a restart with the tables in place leads again (no DDL at all)
t_start one "$rurl" "$dir" -c "$(conf app)"
t_wait_for 15 is_leader one
t_stop one
ok "a role with USAGE+CREATE on its schema leads and creates the tables"

# ---- 2: USAGE only, tables missing: lock_error names CREATE on the schema --
t_start two "$rurl" "$dir" -c "$(conf app2)"
t_wait_for 15 lock_error_has two "lacks privilege CREATE on schema app2"
is_leader two && fail "two leads without CREATE"
grep -q "lacks privilege CREATE on schema app2" "$T_TMP/two.log" ||
	fail "the log does not name the privilege"
t_sql "$db" "GRANT CREATE ON SCHEMA app2 TO $role"
t_wait_for 15 is_leader two
[[ $(t_field two .result.lock_error) == null ]] || fail "lock_error stays"
t_stop two
ok "USAGE only: lock_error names CREATE on the schema; leads once granted"

# ---- 3: a schema that does not exist, no CREATE on the database -----------
t_start three "$rurl" "$dir" -c "$(conf app3)"
t_wait_for 15 lock_error_has three "lacks privilege CREATE on database $dbname"
is_leader three && fail "three leads"
t_stop three
ok "a missing schema without CREATE on the database is named"

# ---- 4: tables made by another role; a missing DELETE is named -------------
dir4=$(t_migdir)
t_rev "$dir4" b0 none "SELECT 1;" "SELECT 1;" >/dev/null
"$MIGRATED" --once -d "$db" -m "$dir4" -c "$(conf app4)" >/dev/null 2>&1 ||
	fail "--once as the superuser failed"
t_rev "$dir4" b1 b0 "SELECT 2;" "SELECT 2;" >/dev/null
t_sql "$db" "GRANT SELECT, INSERT, UPDATE ON app4.alembic_version TO $role;
	GRANT SELECT, INSERT, UPDATE, DELETE ON app4.migrated_history TO $role;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA app4 TO $role;"
t_start four "$rurl" "$dir4" -c "$(conf app4)"
t_wait_for 15 lock_error_has four "lacks privilege DELETE on table app4.alembic_version"
is_leader four && fail "four leads without DELETE"
t_sql "$db" "GRANT DELETE ON app4.alembic_version TO $role"
t_wait_for 15 t_state_is four current
[[ $(t_sql "$db" "SELECT version_num FROM app4.alembic_version") == b1 ]] ||
	fail "b1 not applied by the least-privilege role"
t_stop four
ok "tables owned by another role: a missing grant is named; leads once granted"
