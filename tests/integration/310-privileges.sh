#!/usr/bin/env bash
# README "Privileges", as written: its SQL block (names swapped for this
# test's) makes a role that applies the sample schema, downgrades it to
# base and upgrades it again, with only its ini line added to the settings;
# and every line of it is needed: without LOGIN, CONNECT, USAGE or CREATE
# on the schema, the search_path or version_table_schema, the daemon does
# not get there and says what is missing, as the README's table claims.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

readme=$TOP_SRCDIR/README.md
# fenced block LANG: the first ```LANG block after the privileges marker
fenced() {
	awk -v lang="$1" '/^<!-- privileges:/ { on = 1; next }
		on && $0 == "```" lang { inb = 1; next }
		inb && /^```$/ { exit }
		inb' "$readme"
}
block=$(fenced sql)
ini=$(fenced ini)
grep -q '^GRANT CONNECT ON DATABASE appdb TO migrator;$' <<<"$block" ||
	fail "README's privileges block: $block"
[[ $ini == 'version_table_schema = app' ]] || fail "README's ini line: $ini"

dir=$(t_migdir sample)
n=0
# setup SED [CONF]: a database and role made by the README's block edited
# by SED; the settings file is the README's ini line, or CONF. Sets db (the
# superuser's URL), url (the role's), role, conf.
setup() {
	n=$((n + 1))
	local dbname="t_priv_$$_$n"
	role="mig_$$_$n"
	db=$(pg_createdb "$dbname")
	sed -e "$1" -e "s/\\bappdb\\b/\"$dbname\"/g" -e "s/\\bmigrator\\b/$role/g" \
		<<<"$block" | pg_psql -d "$dbname" >/dev/null ||
		fail "the README's block did not run: $(sed -e "$1" <<<"$block")"
	url=$(pg_url "$dbname" "$role")
	conf=$T_TMP/priv$n.conf
	printf '%s\nreconnect_max_interval = 1s\n' "${2:-$ini}" >"$conf"
}
field() { t_field "$1" "$2"; }
has() { [[ $(t_field "$1" "$2") == *"$3"* ]]; }

# ---- as written: the sample up, down, up --------------------------------------
setup ''
got=$(t_sql "$db" "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication,
	rolbypassrls, rolcanlogin,
	has_database_privilege('$role', current_database(), 'CREATE'),
	has_database_privilege('$role', current_database(), 'TEMP'),
	has_schema_privilege('$role', 'public', 'CREATE'),
	pg_get_userbyid(d.datdba) = '$role'
	FROM pg_roles, pg_database d
	WHERE rolname = '$role' AND d.datname = current_database()")
[[ $got == 'f|f|f|f|f|t|f|f|f|f' ]] || fail "the README's role has more: $got"
t_start a "$url" "$dir" -c "$conf"
t_wait_for 20 t_state_is a current
[[ $(field a .result.role) == leader ]] || fail "a does not lead"
[[ $(t_sql "$db" "SELECT string_agg(DISTINCT schemaname || ':' || tableowner, ',')
	FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')") == "app:$role" ]] ||
	fail "tables: $(t_sql "$db" "SELECT string_agg(schemaname || '.' || tablename || ':' || tableowner, ',') FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
t_expect 0 ctl a -q downgrade base
# left: the state tables alembic_version, migrated_history, migrated_schema
[[ $(t_sql "$db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'app'") == 3 ]] ||
	fail "downgrade base left tables: $(t_sql "$db" "SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'app'")"
t_expect 0 ctl a -q upgrade head
t_wait_for 10 t_state_is a current
t_stop a
ok "the README's block: the sample applied, downgraded to base and re-applied; nothing more held"

# ---- each line is needed -------------------------------------------------------
# without LOGIN
setup 's/ LOGIN / NOLOGIN /'
t_start b "$url" "$dir" -c "$conf"
t_wait_for 15 has b .result.error "not permitted to log in"
[[ $(field b .result.connected) == false ]] || fail "b connected"
t_stop b
ok "without LOGIN: connected false, not permitted to log in"

# without CONNECT
setup '/^GRANT CONNECT/d'
t_start c "$url" "$dir" -c "$conf"
t_wait_for 15 has c .result.error "permission denied for database"
[[ $(field c .result.connected) == false ]] || fail "c connected"
t_stop c
ok "without CONNECT: connected false, permission denied for database"

# without USAGE on the schema
setup 's/^GRANT USAGE, CREATE ON SCHEMA/GRANT CREATE ON SCHEMA/'
t_start d "$url" "$dir" -c "$conf"
t_wait_for 15 has d .result.lock_error "lacks privilege USAGE on schema app"
[[ $(field d .result.role) == standby ]] || fail "d leads without USAGE"
t_stop d
ok "without USAGE on app: lock_error names it"

# without CREATE on the schema
setup 's/^GRANT USAGE, CREATE ON SCHEMA/GRANT USAGE ON SCHEMA/'
t_start e "$url" "$dir" -c "$conf"
t_wait_for 15 has e .result.lock_error "lacks privilege CREATE on schema app"
[[ $(field e .result.role) == standby ]] || fail "e leads without CREATE"
t_stop e
ok "without CREATE on app: lock_error names it"

# without the search_path: the sample's first revision cannot create its
# tables in public
setup '/^ALTER DATABASE/d'
t_start f "$url" "$dir" -c "$conf"
t_wait_for 15 grep -q 'permission denied for schema public' "$T_TMP/f.log"
[[ $(t_sql "$db" "SELECT count(*) FROM app.alembic_version") == 0 ]] ||
	fail "f applied something"
t_stop f
ok "without the search_path: the first revision fails, permission denied for schema public"

# without version_table_schema = app (the default, public)
setup '' 'version_table_schema = public'
t_start g "$url" "$dir" -c "$conf"
t_wait_for 15 has g .result.lock_error "lacks privilege CREATE on schema public"
[[ $(field g .result.role) == standby ]] || fail "g leads"
t_stop g
ok "without version_table_schema = app: lock_error names CREATE on public"
