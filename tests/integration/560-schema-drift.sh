#!/usr/bin/env bash
# Schema drift (SPEC §8): after a plan the leader records a fingerprint of
# every schema object (in migrated_schema, next to the version table);
# `verify --schema` names what changed outside migrations and exits 4, the
# periodic check (schema_check_interval) puts it in status.schema_drift,
# and the next plan records the schema it leaves.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir sample)
conf=$T_TMP/drift.conf
echo "schema_check_interval = 300ms" >"$conf"
t_start a "$db" "$dir" -c "$conf"
t_wait_for 30 t_state_is a current

# the plan's record exists, and matches
t_wait_for 10 ctl a verify --schema
[[ $(t_sql "$db" "SELECT count(*) > 20 FROM $T_SCHEMA.migrated_schema") == t ]] ||
	fail "no fingerprints recorded"
ok "the leader records the schema its plan leaves; verify --schema exits 0"
t_wait_for 10 sh -c "'$MIGRATECTL' -s '$(t_sock a)' status |
	grep -qx 'schema  *as recorded by the last plan'"
ok "human status: the schema is as recorded"

# manual DDL, outside migrations
t_sql "$db" "ALTER TABLE users ADD COLUMN nickname text;
	DROP INDEX documents_owner_id_idx;
	COMMENT ON TABLE users IS 'changed by hand'"
rc=0
ctl a verify --schema >"$T_TMP/v.out" 2>"$T_TMP/v.err" || rc=$?
((rc == 4)) || fail "verify --schema exited $rc, expected 4: $(cat "$T_TMP/v.err")"
for want in "column $T_SCHEMA.users.nickname added" \
	"index $T_SCHEMA.documents_owner_id_idx removed" \
	"table $T_SCHEMA.users changed"; do
	grep -qF "schema drift: $want" "$T_TMP/v.err" ||
		fail "verify --schema does not say '$want': $(cat "$T_TMP/v.err")"
done
t_json a verify --schema >"$T_TMP/v.json" || true
jq -e '.result.ok == false and (.result.schema_drift | length) == 3' "$T_TMP/v.json" >/dev/null ||
	fail "verify --schema --json: $(cat "$T_TMP/v.json")"
ok "verify --schema names the added column, the dropped index, the changed comment; exit 4"

# plain verify (checksums) is not about the schema
t_expect 0 ctl a -q verify

# the periodic check shows it in status
t_wait_for 10 sh -c "'$MIGRATECTL' -s '$(t_sock a)' --json status |
	jq -e '(.result.schema_drift | length) == 3'"
ok "the periodic check reports it in status.schema_drift"
ctl a status >"$T_TMP/st.out" || fail "status exited $?"
for want in "schema  *drift: 3 objects changed outside migrations" \
	" *column $T_SCHEMA.users.nickname added" \
	" *index $T_SCHEMA.documents_owner_id_idx removed" \
	" *table $T_SCHEMA.users changed" \
	"next  *undo the schema change made outside migrations.*"; do
	grep -qx "$want" "$T_TMP/st.out" ||
		fail "human status lacks '$want': $(cat "$T_TMP/st.out")"
done
ok "human status shows schema_drift by name, and what to do"
# SPEC §6: status --check's 4 is for the revision state and checksum drift;
# schema drift is verify --schema's (exit 4), so the state stays current.
t_expect 0 ctl a status --check >/dev/null
ok "status --check still exits 0: schema drift is verify --schema's exit 4"

# a plan records the schema it leaves (the manual change included)
t_expect 0 ctl a -q downgrade -1
t_expect 0 ctl a -q upgrade head
t_wait_for 10 ctl a verify --schema
ok "the next plan records anew: verify --schema exits 0"
