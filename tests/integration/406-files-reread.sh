#!/usr/bin/env bash
# The files on disk are the files that run (issue 10 item 1): before every
# change request and --sql plan the daemon re-checks the directory and
# reloads what changed, as reload does (a broken directory fails the
# request with its errors as they are now, the old set kept); such a
# reload never starts an auto-migrate by itself. watch = true reloads as
# files change.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

rows() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
# up ARGS...: migratectl upgrade; stdout+stderr in $out, status in $rc
up() {
	rc=0
	out=$(ctl a upgrade "$@" 2>&1) || rc=$?
}

db=$(t_newdb)
dir=$(t_migdir sample)
f=$dir/fix000000001_fix.sql
cat >"$f" <<'SQL'
-- revision: fix000000001
-- down_revision: 212c31d97f11
-- message: to be fixed

-- +upgrade
CREATE TABLE fixed (id int);
CREAT TABLE oops (id int);

-- +downgrade
DROP TABLE fixed;
SQL
t_start a "$db" "$dir" --no-auto-migrate
up
((rc == 1)) && grep -qF "$f:7: syntax error" <<<"$out" || fail "first upgrade: $rc $out"

# ---- a fixed file runs without a reload; errors name the file as it is ------
sed -i 's/^CREAT TABLE oops (id int);$/CREATE TABLE ok1 (id int);\n\nSELEC 1;/' "$f"
up
((rc == 1)) && grep -qF "$f:9: syntax error at or near \"SELEC\"" <<<"$out" ||
	fail "the error does not name the file as it is now: $rc $out"
sed -i 's/^SELEC 1;$/SELECT 1;/' "$f"
up
((rc == 0)) || fail "upgrade of the fixed file: $rc $out"
[[ $(rows) == fix000000001 ]] || fail "rows: $(rows)"
grep -q "reloaded $dir" "$T_TMP/a.log" || fail "no reload in the log"
ok "a fixed revision runs at the next upgrade, no reload; errors name the file as it is"

# ---- a new file: --sql plans it, nothing applied --------------------------------
t_rev "$dir" new000000001 fix000000001 'CREATE TABLE new_one (id int);' 'DROP TABLE new_one;' >/dev/null
sql=$(ctl a upgrade head --sql) || fail "--sql with a new file"
grep -q "CREATE TABLE new_one" <<<"$sql" || fail "--sql did not see the new file: $sql"
[[ $(rows) == fix000000001 ]] || fail "--sql applied something"
ok "upgrade --sql sees a new file"

# ---- a broken directory: the request fails with its errors, old set kept ----------
b=$dir/brk000000001_broken.sql
printf -- '-- revision: brk000000001\n-- down_revision: new000000001\n-- transactional: perhaps\n\n-- +upgrade\nSELECT 1;\n\n-- +downgrade\nSELECT 1;\n' >"$b"
up head
((rc == 1)) && grep -qF "$b:3: " <<<"$out" || fail "upgrade with a broken directory: $rc $out"
rc=0
out=$(ctl a downgrade -1 --sql 2>&1) || rc=$?
((rc == 1)) && grep -qF "$b:3: " <<<"$out" || fail "--sql with a broken directory: $rc $out"
[[ $(t_json a status | jq .result.revisions) == 5 ]] || fail "the old set was not kept"
[[ $(rows) == fix000000001 ]] || fail "rows changed: $(rows)"
sed -i 's/^-- transactional: perhaps$/-- transactional: true/' "$b"
up head
((rc == 0)) && [[ $(rows) == brk000000001 ]] || fail "after the fix: $rc $out $(rows)"
ok "a broken directory fails the request with FILE:LINE as it is now; fixed, it runs"

# ---- renamed, then removed: the names inotify reported are what is stat-ed ----------
z=$dir/zzz000000001_bad.sql
printf -- '-- revision: zzz000000001\n-- down_revision: brk000000001\n-- transactional: perhaps\n\n-- +upgrade\nSELECT 1;\n' >"$z"
up head
((rc == 1)) && grep -qF "$z:3: " <<<"$out" || fail "upgrade with a broken file: $rc $out"
mv "$z" "$dir/zzz000000001_moved.sql"
up head
((rc == 1)) && grep -qF "$dir/zzz000000001_moved.sql:3: " <<<"$out" ||
	fail "the renamed file is not named as it is now: $rc $out"
rm "$dir/zzz000000001_moved.sql"
up head
((rc == 0)) && [[ $(rows) == brk000000001 ]] || fail "after the removal: $rc $out $(rows)"
ok "a broken file renamed, then removed: each request sees the directory as it is"
t_stop a

# ---- auto-migrate on: a request's reload starts no auto-migrate ----------------------
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
t_rev "$dir" new000000002 brk000000001 'CREATE TABLE new_two (id int);' 'DROP TABLE new_two;' >/dev/null
t_expect 0 ctl a -q downgrade -1
sleep 1
[[ $(rows) == new000000001 ]] || fail "the reload before downgrade -1 auto-migrated: $(rows)"
ok "the reload before a downgrade does not auto-upgrade"
t_stop a

# ---- watch = true ---------------------------------------------------------------------
printf 'watch = true\n' >"$T_TMP/watch.conf"
t_start a "$db" "$dir" -c "$T_TMP/watch.conf"
t_wait_for 10 t_state_is a current
t_rev "$dir" new000000003 new000000002 'CREATE TABLE new_three (id int);' 'DROP TABLE new_three;' >/dev/null
t_wait_for 10 eval '[[ $(rows) == new000000003 ]]'
ok "watch = true: a new file is applied without a request"
printf -- '-- revision: bad000000009\n-- down_revision: new000000003\n-- nonsense: 1\n\n-- +upgrade\nSELECT 1;\n' >"$dir/bad000000009_x.sql"
t_wait_for 10 grep -q "watch: reload rejected" "$T_TMP/a.log"
[[ $(rows) == new000000003 ]] || fail "rows after a broken file: $(rows)"
ok "watch = true: a broken file is rejected in the log, old set kept"
t_stop a

# ---- a release switch: the directory's path is a symlink swapped to another -----
rel1=$(t_migdir sample)
rel2=$(t_migdir sample)
t_rev "$rel2" rel000000002 212c31d97f11 'CREATE TABLE rel_two (id int);' 'DROP TABLE rel_two;' >/dev/null
ln -s "$rel1" "$T_TMP/current"
db=$(t_newdb)
t_start a "$db" "$T_TMP/current"
t_wait_for 10 t_state_is a current
ln -sfn "$rel2" "$T_TMP/current.new"
mv -T "$T_TMP/current.new" "$T_TMP/current"
sql=$(ctl a upgrade head --sql) || fail "--sql after the switch"
grep -q "CREATE TABLE rel_two" <<<"$sql" || fail "the switched directory was not read: $sql"
ok "a swapped release symlink: the next request reads the new directory"
t_stop a
