#!/usr/bin/env bash
# The test matrix is what it claims to be, so that no cell of it passes by
# quietly running as something else: with TEST_ROLE=least (the default) the
# daemon's role is LOGIN and nothing more -- not superuser, no CREATEDB,
# CREATEROLE, REPLICATION or BYPASSRLS, member of no role, not the owner of
# the database, no CREATE or TEMP on it, no CREATE on schema public -- with
# USAGE and CREATE on its own schema only, and a daemon started by t_start
# connects as that role, leads and applies the sample schema into that
# schema; with PG_LOCALE_PROVIDER=icu the database collates with ICU en-US
# (where '_' sorts before digits, unlike C).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir sample)
dbname=${db#postgresql:///}
dbname=${dbname%%\?*}

su() {
	t_sql_su "$db" "$1"
}

[[ $(t_sql "$db" "SELECT current_user") == "$T_USER" ]] ||
	fail "t_sql connects as $(t_sql "$db" "SELECT current_user"), not $T_USER"
[[ $(su "SELECT current_user") == "$PGUSER" ]] || fail "t_sql_su is not the superuser"
[[ $(su "SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == t ]] ||
	fail "$PGUSER is not a superuser"

case $TEST_ROLE in
least)
	got=$(su "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication,
		rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = '$T_USER'")
	[[ $got == 'f|f|f|f|f|t' ]] ||
		fail "role $T_USER: super|createdb|createrole|replication|bypassrls|login = $got"
	[[ $(su "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r
		ON r.oid = m.member WHERE r.rolname = '$T_USER'") == 0 ]] ||
		fail "role $T_USER is a member of another role"
	got=$(su "SELECT pg_get_userbyid(datdba) = '$T_USER',
		has_database_privilege('$T_USER', current_database(), 'CONNECT'),
		has_database_privilege('$T_USER', current_database(), 'CREATE'),
		has_database_privilege('$T_USER', current_database(), 'TEMP')
		FROM pg_database WHERE datname = current_database()")
	[[ $got == 'f|t|f|f' ]] ||
		fail "database $dbname: owner|CONNECT|CREATE|TEMP for $T_USER = $got"
	got=$(su "SELECT has_schema_privilege('$T_USER', 'public', 'CREATE'),
		has_schema_privilege('$T_USER', '$T_SCHEMA', 'USAGE'),
		has_schema_privilege('$T_USER', '$T_SCHEMA', 'CREATE'),
		pg_get_userbyid(nspowner) = '$T_USER'
		FROM pg_namespace WHERE nspname = '$T_SCHEMA'")
	[[ $got == 'f|t|t|f' ]] ||
		fail "schemas: public CREATE|$T_SCHEMA USAGE|CREATE|owner for $T_USER = $got"
	# and really so: the role cannot create where it has no right to
	t_sql "$db" "CREATE TABLE public.t_denied (x int)" 2>/dev/null &&
		fail "$T_USER could create a table in public"
	t_sql "$db" "CREATE SCHEMA t_denied" 2>/dev/null &&
		fail "$T_USER could create a schema"
	t_sql "$db" "CREATE TEMP TABLE t_denied (x int)" 2>/dev/null &&
		fail "$T_USER could create a temporary table"
	ok "role $T_USER: LOGIN, CONNECT, USAGE+CREATE on $T_SCHEMA; nothing else"
	;;
superuser)
	[[ $T_USER == "$PGUSER" && $T_SCHEMA == public ]] ||
		fail "TEST_ROLE=superuser but T_USER=$T_USER T_SCHEMA=$T_SCHEMA"
	ok "TEST_ROLE=superuser: everything runs as $PGUSER in public"
	;;
esac

# A daemon started the harness's way connects as that role and leads.
t_start a "$db" "$dir"
t_wait_for 20 t_state_is a current
[[ $(t_field a .result.role) == leader ]] || fail "a is not the leader"
[[ $(t_field a .result.database.user) == "$T_USER" ]] ||
	fail "status database.user: $(t_field a .result.database.user)"
[[ $(su "SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity
	WHERE application_name LIKE 'migrated@%'") == "$T_USER" ]] ||
	fail "the daemon's sessions run as $(su "SELECT string_agg(DISTINCT usename, ',')
		FROM pg_stat_activity WHERE application_name LIKE 'migrated@%'")"
[[ $(su "SELECT string_agg(DISTINCT schemaname || ':' || tableowner, ',')
	FROM pg_tables WHERE tablename IN ('alembic_version', 'migrated_history',
	'users', 'writing_styles')") == "$T_SCHEMA:$T_USER" ]] ||
	fail "tables: $(su "SELECT string_agg(schemaname || '.' || tablename || ':' ||
		tableowner, ',') FROM pg_tables WHERE schemaname NOT IN
		('pg_catalog', 'information_schema')")"
t_stop a
ok "the daemon connects as $T_USER, leads, applies the sample into $T_SCHEMA"

case ${PG_LOCALE_PROVIDER:-libc} in
icu)
	[[ $(su "SELECT datlocprovider::text || ':' || daticulocale FROM pg_database
		WHERE datname = current_database()") == i:en-US ]] ||
		fail "not an ICU en-US database: $(su "SELECT datlocprovider,
			daticulocale FROM pg_database WHERE datname = current_database()")"
	[[ $(su "SELECT 'a_1' < 'a1'") == t ]] ||
		fail "'a_1' < 'a1' is false: the default collation is not ICU's"
	ok "the database collates with ICU en-US ('a_1' < 'a1')"
	;;
*)
	[[ $(su "SELECT 'a_1' < 'a1'") == f ]] ||
		fail "'a_1' < 'a1' is true: the default collation is not C"
	ok "the database collates bytewise (C.UTF-8)"
	;;
esac
