#!/usr/bin/env bash
# `status` says what to do next (issue 10 item 3), one "next" line per
# thing, the command spelled out: current, behind, dirty (both resolve
# commands), drift (the file), ahead (the row and the directory),
# unreachable.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

# next NAME: the "next" block of NAME's status, label column cut off.
next() {
	ctl "$1" status | sed -n '/^next /,$p' | cut -c12-
}
has() {
	grep -qxF -- "$2" <<<"$1" || fail "status does not say '$2': $1"
}

db=$(t_newdb)
dir=$(t_migdir sample)
t_rev "$dir" nt0000000001 212c31d97f11 "CREATE TABLE nt_one (id int);
INSERT INTO no_such_table VALUES (1);" 'DROP TABLE nt_one;' 'transactional: false' >/dev/null
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
has "$(next a)" "run: migratectl upgrade (4 pending revisions)"
ok "behind: the upgrade command and the count"

t_expect 0 ctl a -q upgrade 212c
has "$(next a)" "run: migratectl upgrade (1 pending revision)"
t_expect 1 ctl a -q upgrade 2>/dev/null
t_wait_for 5 t_state_is a dirty
out=$(next a)
has "$out" "if nt0000000001 took effect, run: migratectl resolve nt0000000001 --applied"
has "$out" "if it did not, run: migratectl resolve nt0000000001 --rolled-back"
ok "dirty: both resolve commands spelled out"

t_sql "$db" "DROP TABLE IF EXISTS nt_one" >/dev/null
t_expect 0 ctl a -q resolve nt0000000001 --rolled-back
rm "$dir"/nt0000000001_rev.sql
t_expect 0 ctl a -q reload
t_wait_for 5 t_state_is a current
has "$(next a)" "nothing to do: the database is at its heads"
ok "current: nothing to do"

f=$(ls "$dir"/d382069dacef_*.sql)
sed -i 's/CREATE TABLE writing_styles/CREATE TABLE  writing_styles/' "$f"
t_expect 0 ctl a -q reload
t_wait_for 5 eval '[[ $(t_json a status --fresh | jq ".result.drift | length") == 1 ]]'
out=$(next a)
has "$out" "restore $f as it was when d382069dacef ran, or move the change into a new revision"
grep -q "allow_drift = true" <<<"$out" || fail "drift: no allow_drift: $out"
ok "drift: the file to restore"

t_sql "$db" "UPDATE alembic_version SET version_num = 'ffff00000001'" >/dev/null
t_wait_for 5 t_state_is a ahead
has "$(next a)" "version ffff00000001 has no file in $dir: deploy the migrations that include it"
[[ $(t_json a status | jq -c .result.unknown_rows) == '["ffff00000001"]' ]] || fail "unknown_rows: $(t_json a status)"
ok "ahead: the row without a file and the directory"
t_stop a

# (started by hand: t_start would wait for a database read that never comes)
"$MIGRATED" -d "postgresql:///nosuchdb?host=$T_TMP/nosuchdir&port=1" -m "$dir" \
	-s "$(t_sock b)" >"$T_TMP/b.log" 2>&1 &
T_PID[b]=$!
t_wait_for 5 ctl b -q status
has "$(next b)" "check database_url and the server; the daemon reconnects by itself"
ok "unreachable: check database_url"
t_stop b
