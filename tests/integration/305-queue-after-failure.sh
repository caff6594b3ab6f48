#!/usr/bin/env bash
# The change queue never stalls (issue 9, defect 7): an upgrade queued
# behind a stamp that fails (a trigger refuses its history row) runs as
# soon as the stamp has rolled back, without another request to kick the
# queue.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" q1 none "CREATE TABLE q_1 (id int);" "DROP TABLE q_1;" >/dev/null
t_rev "$dir" q2 q1 "CREATE TABLE q_2 (id int);" "DROP TABLE q_2;" >/dev/null
DISABLE_AUTO_MIGRATIONS=true t_start q "$db" "$dir"
t_wait_for 15 t_state_is q behind

# A trigger makes every stamp fail (after its LOCK, in its transaction);
# upgrades write their history rows untouched.
t_sql "$db" "CREATE FUNCTION no_stamp() RETURNS trigger LANGUAGE plpgsql AS
	\$\$BEGIN IF NEW.operation = 'stamp' THEN RAISE EXCEPTION 'no stamps today';
	END IF; RETURN NEW; END\$\$;
	CREATE TRIGGER no_stamp BEFORE INSERT ON migrated_history
	FOR EACH ROW EXECUTE FUNCTION no_stamp();"
out=$(t_raw "$(t_sock q)" \
	'{"id": 1, "op": "stamp", "args": {"target": "q1"}}' \
	'{"id": 2, "op": "upgrade", "args": {"target": "head"}}') ||
	fail "not every request was answered (the queue stalled): $out"
stamp=$(jq -c 'select(.id == 1 and has("ok"))' <<<"$out")
up=$(jq -c 'select(.id == 2 and has("ok"))' <<<"$out")
jq -e '.ok == false and (.error.message | contains("no stamps today"))' \
	<<<"$stamp" >/dev/null || fail "the stamp did not fail: $stamp"
[[ $(jq -r .ok <<<"$up") == true ]] || fail "the upgrade failed: $up"
[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == q2 ]] ||
	fail "version rows: $(t_sql "$db" "SELECT * FROM alembic_version")"
t_stop q
ok "an upgrade queued behind a failed stamp runs"
