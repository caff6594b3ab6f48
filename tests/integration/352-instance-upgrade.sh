#!/usr/bin/env bash
# The history table of a version before instance ids (no column instance):
# a daemon whose role owns it adds the column at takeover; one whose role
# does not own it does not lead, and says why (status lock_error names the
# ownership and the statement to run); once the owner has added the
# column, it leads. A running row of the old version (no instance) whose
# daemon is gone is dirty.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

old_history() { # URL [t_sql_su]: the tables as the previous version made them
	"${2:-t_sql}" "$1" "SET search_path = $T_SCHEMA; CREATE TABLE migrated_history (id bigserial PRIMARY KEY,
		revision varchar(32) NOT NULL,
		operation text NOT NULL CHECK (operation IN ('upgrade', 'downgrade', 'stamp', 'resolve')),
		checksum text, message text, started_at timestamptz NOT NULL DEFAULT now(),
		finished_at timestamptz, duration_ms bigint,
		outcome text NOT NULL CHECK (outcome IN ('ok', 'failed', 'running')),
		error text, host text, pid integer, requested_by text,
		transactional boolean NOT NULL DEFAULT true);
		CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
		CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
}
has_instance() {
	[[ $(t_sql_su "$1" "SELECT count(*) FROM pg_attribute WHERE attrelid = '$T_SCHEMA.migrated_history'::regclass AND attname = 'instance'") == 1 ]]
}

dir=$(t_migdir)
t_rev "$dir" up000001 none 'CREATE TABLE up_one (id int);' 'DROP TABLE up_one;' >/dev/null
t_rev "$dir" up000002 up000001 'CREATE INDEX CONCURRENTLY up_idx ON up_one (id);' \
	'DROP INDEX CONCURRENTLY up_idx;' 'transactional: false' >/dev/null
conf="$T_TMP/m.conf"
printf 'reconnect_max_interval = 500ms\n' >"$conf"

# ---- the owner: the column is added at takeover ------------------------------
db=$(t_newdb)
old_history "$db"
t_sql "$db" "INSERT INTO alembic_version VALUES ('up000001'); CREATE TABLE up_one (id int);
	INSERT INTO migrated_history (revision, operation, outcome, host, pid, transactional)
	VALUES ('up000002', 'upgrade', 'running', 'gone-host', 4242, false)"
t_start a "$db" "$dir" -c "$conf" # auto-migrate on
t_wait_for 10 has_instance "$db"
grep -q "added the column instance" "$T_TMP/a.log" || fail "no log line for the added column"
t_wait_for 10 t_state_is a dirty
[[ $(t_field a .result.role) == leader ]] || fail "a is not leader"
[[ $(t_field a .result.dirty.revision) == up000002 ]] || fail "dirty: $(t_json a status | jq -c .result.dirty)"
[[ $(t_sql "$db" "SELECT to_regclass('up_idx') IS NULL") == t ]] || fail "up000002 was re-run"
t_expect 0 ctl a -q resolve up000002 --rolled-back
t_expect 0 ctl a -q upgrade head
[[ $(t_sql "$db" "SELECT instance FROM migrated_history WHERE revision = 'up000002' AND operation = 'upgrade' AND outcome = 'ok'") =~ ^[0-9a-f]{16}$ ]] ||
	fail "new rows carry no instance"
t_stop a
ok "owner: column added at takeover; an old running row of a gone daemon is dirty"

# ---- not the owner: no lead, and the reason -----------------------------------
db=$(t_newdb)
old_history "$db" t_sql_su
role="mig_$$_$RANDOM"
name=$(sed -E 's|^postgresql:///([^?]*).*|\1|' <<<"$db")
t_sql_su "$db" "CREATE ROLE $role LOGIN;
	GRANT CONNECT ON DATABASE \"$name\" TO $role;
	GRANT USAGE, CREATE ON SCHEMA $T_SCHEMA TO $role;
	GRANT SELECT, INSERT, UPDATE, DELETE ON $T_SCHEMA.alembic_version, $T_SCHEMA.migrated_history TO $role;
	GRANT USAGE ON SEQUENCE $T_SCHEMA.migrated_history_id_seq TO $role"
url=$(sed -E "s/([?&])user=[^&]*/\1user=$role/" <<<"$db")
t_start b "$url" "$dir" -c "$conf"
t_wait_for 10 eval '[[ $(t_field b .result.lock_error) == *ownership* ]]'
err=$(t_field b .result.lock_error)
[[ $err == *"$role"* && $err == *migrated_history* && $err == *"ADD COLUMN instance"* ]] ||
	fail "lock_error: $err"
[[ $(t_field b .result.role) == standby ]] || fail "b leads without the column"
[[ $(t_sql_su "$db" "SELECT count(*) FROM $T_SCHEMA.alembic_version") == 0 ]] || fail "b changed the schema"
ok "not the owner: standby, lock_error: $err"

t_sql_su "$db" "ALTER TABLE $T_SCHEMA.migrated_history ADD COLUMN instance text"
t_wait_for 10 eval '[[ $(t_field b .result.role) == leader ]]'
t_wait_for 10 t_state_is b current
t_stop b
ok "after the owner added the column: leader, upgraded"
