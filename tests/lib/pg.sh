# shellcheck shell=bash
#
# tests/lib/pg.sh -- throwaway PostgreSQL 15 clusters for tests and scripts.
#
# Source it (from any directory, under `set -euo pipefail` or not) and call:
#
#   pg_start [DBNAME]        initdb + start a private cluster, create DBNAME
#                            (default: migrated_test), export the variables
#                            below, and stop/remove it all on exit
#   pg_stop                  stop the server (fast, then immediate) and remove
#                            its directory; safe to call more than once
#   pg_cleanup [STATUS]      what the EXIT trap runs: pg_stop, printing the
#                            server log first when STATUS is non-zero
#   pg_createdb NAME [OPTIONS]
#                            create database NAME; prints its URL
#   pg_createdb_app NAME [OPTIONS]
#                            create database NAME (CREATE DATABASE OPTIONS,
#                            e.g. "TEMPLATE template0 LOCALE_PROVIDER icu
#                            ICU_LOCALE 'en-US'") as an operator hands it to
#                            a least-privilege migration role (below);
#                            prints the URL that connects as that role
#   pg_dropdb NAME           drop database NAME (WITH (FORCE))
#   pg_url [DBNAME [ROLE]]   prints the URL of DBNAME (default: PGDATABASE)
#                            as ROLE (default: PGUSER, the superuser)
#   pg_restart [fast|immediate]
#                            restart the server (default: fast), same port
#   pg_stop_server [fast|immediate]
#                            stop the server but keep its data (outage tests)
#   pg_start_server          start a server stopped by pg_stop_server
#   pg_psql [ARGS...]        psql -X -v ON_ERROR_STOP=1 -qAt on the test db
#   pg_print_log [LINES]     print the server log (all, or the last LINES)
#
# Exported after pg_start:
#
#   PGHOST PGPORT PGUSER PGDATABASE   libpq's own variables, so plain `psql`,
#                                     `pg_dump` and the daemon just work
#   DATABASE_URL    postgresql:///DB?host=DIR&port=N&user=U
#   PG_TMPDIR       the cluster's private directory (socket, logs, data)
#   PG_DATADIR      PG_TMPDIR/data
#   PG_LOGFILE      PG_TMPDIR/postgres.log
#   PG_BINDIR       PostgreSQL 15 programs (override before sourcing)
#
# The server listens on a Unix socket only (listen_addresses = ''), in
# PG_TMPDIR, with `local all all trust`, so any local OS user -- root
# included -- can connect as any role; but one role, PG_PASSWORD_ROLE,
# must give its password (scram-sha-256), for tests of a wrong password.
# No role of that name exists: a test creates it with the password it
# wants.  The bootstrap superuser is named
# after the invoking user (PG_SUPERUSER overrides).  initdb refuses to run
# as root, so when root the server runs as the system user `migtest`
# (PG_OS_USER overrides), created on first use.
#
# The least-privilege role (pg_createdb_app) is what a production migration
# role looks like: PG_APP_ROLE, LOGIN and nothing else (not superuser, no
# CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS), created on first use.  In
# each database made for it:
#
#   REVOKE ALL ON DATABASE NAME FROM PUBLIC;   -- no TEMP, no CREATE
#   GRANT CONNECT ON DATABASE NAME TO ROLE;
#   CREATE SCHEMA APP;                         -- owned by the superuser
#   GRANT USAGE, CREATE ON SCHEMA APP TO ROLE;
#   ALTER DATABASE NAME SET search_path = APP, public;
#
# The database and its public schema belong to the superuser; public keeps
# PostgreSQL 15's default (USAGE for everyone, CREATE for nobody else), so
# the daemon must be told version_table_schema = APP.
#
# Settings read from the environment:
#   PG_BINDIR     default: /usr/lib/postgresql/15/bin, else pg_config --bindir
#   PG_OS_USER    OS user that runs the server when we are root (migtest)
#   PG_SUPERUSER  name of the bootstrap superuser role (default: id -un)
#   PG_KEEP=1     keep PG_TMPDIR after stopping (for post-mortems)
#   PG_QUIET=1    do not print the server log on failure
#   PG_APP_ROLE   the least-privilege role (default: migrator)
#   PG_APP_SCHEMA its schema (default: app)
#   PG_PASSWORD_ROLE  the one role that authenticates with a password
#                 (default: migrator_pw)
#   PG_LOCALE_PROVIDER=icu
#                 initdb --locale-provider=icu --icu-locale=en-US: every
#                 database collates with ICU en-US, not C (default: libc,
#                 C.UTF-8)

# Refuse to be executed: this file only makes sense when sourced.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	echo "pg.sh: source this file, do not execute it" >&2
	exit 2
fi

# Sourcing twice is harmless.
if [[ -n "${_PG_SH_LOADED:-}" ]]; then
	return 0
fi
_PG_SH_LOADED=1

# --- internal helpers --------------------------------------------------------

# _pg_die MSG...: print an error (and the server log if there is one), fail.
_pg_die() {
	echo "pg.sh: $*" >&2
	if [[ "${PG_QUIET:-0}" != 1 ]]; then
		pg_print_log 200 >&2 || true
	fi
	return 1
}

# _pg_find_bindir: set PG_BINDIR to the directory holding PostgreSQL 15's
# programs, unless the caller set it.
_pg_find_bindir() {
	if [[ -n "${PG_BINDIR:-}" ]]; then
		:
	elif [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
		PG_BINDIR=/usr/lib/postgresql/15/bin
	elif command -v pg_config >/dev/null 2>&1; then
		PG_BINDIR=$(pg_config --bindir)
	fi
	if [[ -z "${PG_BINDIR:-}" || ! -x "$PG_BINDIR/initdb" ]]; then
		echo "pg.sh: cannot find PostgreSQL programs (set PG_BINDIR)" >&2
		return 1
	fi
	export PG_BINDIR
}

# _pg_ensure_os_user: make sure PG_OS_USER exists (root only).  Tolerates a
# concurrent test creating it at the same time.
_pg_ensure_os_user() {
	if id -u "$PG_OS_USER" >/dev/null 2>&1; then
		return 0
	fi
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$PG_OS_USER" >/dev/null 2>&1 || true
	id -u "$PG_OS_USER" >/dev/null 2>&1 ||
		{ echo "pg.sh: cannot create user $PG_OS_USER" >&2; return 1; }
}

# _pg_as_owner CMD...: run a server-side program as the cluster's owner, from
# inside PG_TMPDIR (so an unreadable cwd such as /root does not matter).
_pg_as_owner() {
	if [[ "$(id -u)" == 0 ]]; then
		(cd "$PG_TMPDIR" && runuser -u "$PG_OS_USER" -- "$@")
	else
		(cd "$PG_TMPDIR" && "$@")
	fi
}

# _pg_port_free PORT: true when nothing seems to use PORT.  Our socket lives
# in a private directory, so clashes are only possible through System V
# shared memory keys (which PostgreSQL derives from the port and retries
# anyway) or a TCP listener; we still avoid ports that look busy.
_pg_port_free() {
	local port=$1 d
	for d in /tmp /var/run/postgresql /run/postgresql; do
		[[ -e "$d/.s.PGSQL.$port" ]] && return 1
	done
	if command -v ss >/dev/null 2>&1; then
		ss -Htanl "sport = :$port" 2>/dev/null | grep -q . && return 1
	fi
	return 0
}

# _pg_pick_port: print a random port in 20000-60000 that looks free.
_pg_pick_port() {
	local port i
	for ((i = 0; i < 100; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
		if _pg_port_free "$port"; then
			echo "$port"
			return 0
		fi
	done
	echo "pg.sh: no free port found" >&2
	return 1
}

# _pg_ctl ARGS...: pg_ctl on our cluster, as its owner.
_pg_ctl() {
	_pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DATADIR" "$@"
}

# _pg_install_trap: run pg_cleanup on exit, before whatever EXIT trap the
# caller had already installed (which still runs, with the original $?).
# Also turns INT/TERM/HUP into a normal exit when the caller has no trap for
# them, so `timeout` or Ctrl-C do not leak a running server.
_pg_install_trap() {
	local prev sig
	local -a words=()
	# `trap -p EXIT` prints: trap -- 'CMD' EXIT, shell-quoted; let the shell
	# unquote it for us.
	eval "words=($(trap -p EXIT))"
	prev=${words[2]:-}
	case "$prev" in
	*_pg_exit_trap*) return 0 ;; # already ours
	esac
	_PG_PREV_EXIT_TRAP=$prev
	trap '_pg_exit_trap' EXIT
	for sig in INT TERM HUP; do
		if [[ -z "$(trap -p "$sig")" ]]; then
			case "$sig" in
			INT) trap 'exit 130' INT ;;
			TERM) trap 'exit 143' TERM ;;
			HUP) trap 'exit 129' HUP ;;
			esac
		fi
	done
}

# _pg_exit_trap: the EXIT trap.  Cleans up, then runs the caller's previous
# EXIT trap with $? still holding the script's exit status.
_pg_exit_trap() {
	local rc=$?
	pg_cleanup "$rc" || true
	if [[ -n "${_PG_PREV_EXIT_TRAP:-}" ]]; then
		# `(exit rc) ||` sets $? for the previous trap without tripping
		# `set -e` when rc is non-zero.
		if [[ "$rc" == 0 ]]; then
			eval "$_PG_PREV_EXIT_TRAP"
		else
			(exit "$rc") || eval "$_PG_PREV_EXIT_TRAP"
		fi
	fi
	return "$rc"
}

# --- public functions --------------------------------------------------------

# pg_url [DBNAME [ROLE]]: print the libpq URL of DBNAME on our server.
pg_url() {
	local db=${1:-$PGDATABASE} role=${2:-$PGUSER}
	printf 'postgresql:///%s?host=%s&port=%s&user=%s\n' \
		"$db" "$PGHOST" "$PGPORT" "$role"
}

# pg_print_log [LINES]: print the server log (or its last LINES lines).
pg_print_log() {
	local f=${PG_LOGFILE:-}
	[[ -n "$f" && -s "$f" ]] || return 0
	echo "----- $f -----"
	if [[ -n "${1:-}" ]]; then
		tail -n "$1" -- "$f"
	else
		cat -- "$f"
	fi
	echo "----- end of $f -----"
}

# pg_psql ARGS...: psql on the test database with settings fit for scripts:
# no psqlrc, stop on the first error, unaligned tuples only, quiet.
pg_psql() {
	"$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -q -A -t "$@"
}

# pg_start [DBNAME]: create and start a throwaway cluster; see the header.
pg_start() {
	local db=${1:-migrated_test} su attempt
	local -a locale

	if [[ -n "${PG_TMPDIR:-}" && -d "${PG_TMPDIR:-}" ]]; then
		echo "pg.sh: pg_start: a cluster is already running in $PG_TMPDIR" >&2
		return 1
	fi
	_pg_find_bindir || return 1

	su=${PG_SUPERUSER:-$(id -un)}
	PG_OS_USER=${PG_OS_USER:-migtest}
	if [[ "$(id -u)" == 0 ]]; then
		_pg_ensure_os_user || return 1
	fi

	PG_TMPDIR=$(mktemp -d /tmp/pgtest.XXXXXXXX) || return 1
	PG_DATADIR=$PG_TMPDIR/data
	PG_LOGFILE=$PG_TMPDIR/postgres.log
	export PG_TMPDIR PG_DATADIR PG_LOGFILE
	# World-searchable so that tests running clients as other users can
	# reach the socket; the data directory itself is 0700.
	chmod 0755 "$PG_TMPDIR"
	if [[ "$(id -u)" == 0 ]]; then
		chown "$PG_OS_USER:" "$PG_TMPDIR"
	fi

	# Installed before anything can fail, so a half-made cluster is removed.
	_pg_install_trap

	case "${PG_LOCALE_PROVIDER:-libc}" in
	libc) locale=() ;;
	icu) locale=(--locale-provider=icu --icu-locale=en-US) ;;
	*)
		echo "pg.sh: PG_LOCALE_PROVIDER must be libc or icu" >&2
		return 2
		;;
	esac
	if ! _pg_as_owner "$PG_BINDIR/initdb" -D "$PG_DATADIR" -U "$su" \
		--auth=trust --encoding=UTF8 --locale=C.UTF-8 "${locale[@]}" \
		--no-sync >"$PG_TMPDIR/initdb.log" 2>&1; then
		cat "$PG_TMPDIR/initdb.log" >&2 || true
		_pg_die "initdb failed"
		return 1
	fi

	# Unix socket only, in our private directory; trust for local users.
	cat >>"$PG_DATADIR/postgresql.conf" <<-EOF

		# --- tests/lib/pg.sh ---
		listen_addresses = ''
		unix_socket_directories = '$PG_TMPDIR'
		unix_socket_permissions = 0777
		fsync = off
		synchronous_commit = off
		full_page_writes = off
		max_connections = 100
		shared_buffers = 32MB
		log_line_prefix = '%m [%p] %q%u@%d '
		log_min_messages = info
		log_connections = off
	EOF
	PG_PASSWORD_ROLE=${PG_PASSWORD_ROLE:-migrator_pw}
	export PG_PASSWORD_ROLE
	cat >"$PG_DATADIR/pg_hba.conf" <<-EOF
		# tests/lib/pg.sh: Unix socket only, everybody trusted but
		# one role that must give its password.
		local all $PG_PASSWORD_ROLE scram-sha-256
		local all all trust
	EOF

	# Pick a port; retry with another one should the start fail (e.g. a
	# shared-memory or TCP clash we could not foresee).
	for attempt in 1 2 3 4 5; do
		PGPORT=$(_pg_pick_port) || return 1
		export PGPORT
		if _pg_ctl -w -t 60 -l "$PG_LOGFILE" \
			-o "-p $PGPORT" start >"$PG_TMPDIR/pg_ctl.log" 2>&1; then
			break
		fi
		if [[ $attempt == 5 ]]; then
			cat "$PG_TMPDIR/pg_ctl.log" >&2 || true
			_pg_die "pg_ctl start failed"
			return 1
		fi
	done
	# Record the port in postgresql.conf so pg_restart/pg_start_server
	# come back on the same one.
	echo "port = $PGPORT" >>"$PG_DATADIR/postgresql.conf"

	export PGHOST=$PG_TMPDIR
	export PGUSER=$su
	export PGDATABASE=postgres
	# Don't let the caller's environment redirect our clients.
	unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE \
		PGSSLMODE PGOPTIONS PGTARGETSESSIONATTRS 2>/dev/null || true

	if [[ "$db" != postgres ]]; then
		if ! pg_psql -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null; then
			_pg_die "cannot create database $db"
			return 1
		fi
	fi
	export PGDATABASE=$db
	DATABASE_URL=$(pg_url "$db")
	export DATABASE_URL
}

# pg_stop_server [fast|immediate]: stop the server, keep its data.
pg_stop_server() {
	local mode=${1:-fast}
	[[ -n "${PG_DATADIR:-}" && -d "$PG_DATADIR" ]] ||
		{ echo "pg.sh: pg_stop_server: no cluster" >&2; return 1; }
	_pg_ctl -w -t 60 -m "$mode" stop >/dev/null ||
		{ _pg_die "pg_ctl stop -m $mode failed"; return 1; }
}

# pg_start_server: start the server again (same port, same data).
pg_start_server() {
	[[ -n "${PG_DATADIR:-}" && -d "$PG_DATADIR" ]] ||
		{ echo "pg.sh: pg_start_server: no cluster" >&2; return 1; }
	_pg_ctl -w -t 60 -l "$PG_LOGFILE" start >/dev/null ||
		{ _pg_die "pg_ctl start failed"; return 1; }
}

# pg_restart [fast|immediate]: stop with the given mode and start again.
pg_restart() {
	local mode=${1:-fast}
	case "$mode" in
	fast | immediate | smart) ;;
	*) echo "pg.sh: pg_restart: bad mode '$mode'" >&2; return 2 ;;
	esac
	pg_stop_server "$mode" && pg_start_server
}

# pg_createdb NAME [OPTIONS]: create database NAME (CREATE DATABASE
# OPTIONS); print its URL.
pg_createdb() {
	local name=${1:?pg_createdb: database name required}
	pg_psql -d postgres -c "CREATE DATABASE \"$name\" ${2:-}" >/dev/null ||
		return 1
	pg_url "$name"
}

# pg_createdb_app NAME: create database NAME for the least-privilege role
# (see the header), creating the role on first use; print the URL that
# connects as it.
pg_createdb_app() {
	local name=${1:?pg_createdb_app: database name required} opts=${2:-}
	local role=${PG_APP_ROLE:-migrator} schema=${PG_APP_SCHEMA:-app}

	pg_psql -d postgres -v role="$role" >/dev/null <<-'EOF' || return 1
		SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB '
		    'NOCREATEROLE NOREPLICATION NOBYPASSRLS', :'role')
		WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')
		\gexec
	EOF
	pg_psql -d postgres -c "CREATE DATABASE \"$name\" $opts" >/dev/null ||
		return 1
	pg_psql -d "$name" -v db="$name" -v role="$role" -v schema="$schema" \
		>/dev/null <<-'EOF' || return 1
		REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
		GRANT CONNECT ON DATABASE :"db" TO :"role";
		CREATE SCHEMA :"schema";
		GRANT USAGE, CREATE ON SCHEMA :"schema" TO :"role";
		ALTER DATABASE :"db" SET search_path = :"schema", public;
	EOF
	pg_url "$name" "$role"
}

# pg_dropdb NAME: drop database NAME, disconnecting its sessions.
pg_dropdb() {
	local name=${1:?pg_dropdb: database name required}
	pg_psql -d postgres -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
		>/dev/null
}

# pg_stop: stop the server (fast; immediate if that hangs) and remove its
# directory unless PG_KEEP=1.  Idempotent.
pg_stop() {
	[[ -n "${PG_TMPDIR:-}" ]] || return 0
	if [[ -f "$PG_DATADIR/postmaster.pid" ]]; then
		_pg_ctl -w -t 30 -m fast stop >/dev/null 2>&1 ||
			_pg_ctl -w -t 30 -m immediate stop >/dev/null 2>&1 || true
	fi
	if [[ "${PG_KEEP:-0}" == 1 ]]; then
		echo "pg.sh: kept $PG_TMPDIR" >&2
	else
		rm -rf -- "$PG_TMPDIR"
	fi
	unset PG_TMPDIR PG_DATADIR PG_LOGFILE
}

# pg_cleanup [STATUS]: stop and remove the cluster; when STATUS (default 0)
# is non-zero, print the end of the server log first, for the post-mortem.
pg_cleanup() {
	local rc=${1:-0}
	[[ -n "${PG_TMPDIR:-}" ]] || return 0
	if [[ "$rc" != 0 && "${PG_QUIET:-0}" != 1 ]]; then
		echo "pg.sh: exit status $rc; server log follows" >&2
		pg_print_log 100 >&2 || true
	fi
	pg_stop
}
