#!/usr/bin/env bash
# Bad migrations under a running daemon (auto-migrate on), each followed by
# `migratectl reload`, beyond integration/150-reload and 060-drift:
#  - a dozen kinds of broken directory (binary garbage, a duplicate id, a
#    cycle, an unknown parent, an id that is not the file name's, a COMMIT
#    or COPY FROM STDIN in a section, an empty file, a dangling symlink, an
#    applied revision removed from the middle of the chain): each reload
#    exits 1 (migration_failed) naming the file, the old set stays loaded,
#    nothing runs, the daemon lives on;
#  - editor leftovers (.swp, ~, dotfiles, *.txt), a FIFO and a directory
#    named *.sql are skipped (and the FIFO never blocks the loop);
#  - the applied head's file removed: state ahead, upgrade refused (2),
#    status --check and wait exit 4, auto-migrate does nothing; restored:
#    current again;
#  - a new revision with an SQL error: one failed row, no retry storm, state
#    behind; its file fixed and reloaded: applied;
#  - files edited and added while an upgrade runs: the running plan uses
#    the files it started with (the checksum recorded is of the SQL that
#    ran, so the edit shows up as drift, which holds auto-migrate until
#    the file is restored); an added revision runs right after it.
source "$TOP_SRCDIR/tests/faults/lib.sh"

db=$(t_newdb)
dir=$(t_migdir)
t_rev "$dir" bm000001 none 'CREATE TABLE bm1 (id int);' 'DROP TABLE bm1;' >/dev/null
t_rev "$dir" bm000002 bm000001 'CREATE TABLE bm2 (id int);' 'DROP TABLE bm2;' >/dev/null
t_rev "$dir" bm000003 bm000002 'CREATE TABLE bm3 (id int);' 'DROP TABLE bm3;' >/dev/null
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
pid=$(t_pid a)

rows() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
nhist() { t_sql "$db" "SELECT count(*) FROM migrated_history"; }

# reject WHAT FILE-PATTERN: reload is refused naming FILE-PATTERN, and the
# daemon keeps its set, its database and its pid
reject() {
	local what=$1 pat=$2 rc=0 out n0 h0 r0
	n0=$(t_field a .result.revisions) h0=$(nhist) r0=$(rows)
	out=$(t_json a reload) || rc=$?
	((rc == 1)) || fail "$what: reload exited $rc: $out"
	[[ $(jq -r .error.code <<<"$out") == migration_failed ]] || fail "$what: $out"
	jq -r .error.message <<<"$out" | grep -q -- "$pat" ||
		fail "$what: the error does not name $pat: $out"
	[[ $(t_field a .result.revisions) == "$n0" ]] || fail "$what: the loaded set changed"
	sleep 0.3
	[[ $(nhist) == "$h0" && $(rows) == "$r0" ]] || fail "$what: something ran"
	f_alive a && [[ $(t_pid a) == "$pid" ]] || fail "$what: the daemon died"
	f_status_answers a >/dev/null
	echo "# rejected: $what: $(jq -r .error.message <<<"$out" | grep -m1 -- "$pat")"
}

# ---- broken directories -----------------------------------------------------------
head -c 4096 /dev/urandom >"$dir/bm000004_garbage.sql"
reject "binary garbage" bm000004_garbage.sql
rm "$dir/bm000004_garbage.sql"

sed 's/^-- message: .*/-- message: a copy/' "$dir/bm000003_rev.sql" >"$dir/bm000003_copy.sql"
reject "duplicate revision id" bm000003
rm "$dir/bm000003_copy.sql"

t_rev "$dir" cy000001 cy000002 'SELECT 1;' 'SELECT 1;' >/dev/null
t_rev "$dir" cy000002 cy000001 'SELECT 1;' 'SELECT 1;' >/dev/null
reject "a cycle" cy00000
rm "$dir"/cy00000*_rev.sql

t_rev "$dir" bm000004 nosuch01 'SELECT 1;' >/dev/null
reject "an unknown parent" bm000004_rev.sql
rm "$dir/bm000004_rev.sql"

t_rev "$dir" bm000004 bm000003 'SELECT 1;' >/dev/null
mv "$dir/bm000004_rev.sql" "$dir/bm000005_rev.sql"
reject "revision id not the file name's" bm000005_rev.sql
rm "$dir/bm000005_rev.sql"

t_rev "$dir" bm000004 bm000003 'CREATE TABLE bm4 (id int);
COMMIT;' >/dev/null
reject "COMMIT inside a section" bm000004_rev.sql
t_rev "$dir" bm000004 bm000003 'COPY bm3 FROM STDIN;
1
\.' >/dev/null
reject "COPY FROM STDIN" bm000004_rev.sql
rm "$dir/bm000004_rev.sql"

: >"$dir/bm000004_empty.sql"
reject "an empty file" bm000004_empty.sql
rm "$dir/bm000004_empty.sql"

ln -s /nonexistent/x.sql "$dir/bm000004_dangling.sql"
reject "a dangling symlink" bm000004_dangling.sql
rm "$dir/bm000004_dangling.sql"

# not regular files: skipped by the loader (which never opens them, so a
# FIFO cannot block the loop)
mkfifo "$dir/bm000004_fifo.sql"
mkdir "$dir/bm000004_dir.sql"
out=$(t_json a reload) || fail "reload with a FIFO and a directory named .sql: $out"
[[ $(jq -c '[.result.revisions, .result.added]' <<<"$out") == '[3,[]]' ]] ||
	fail "a FIFO or directory was loaded: $out"
f_status_answers a >/dev/null
rm "$dir/bm000004_fifo.sql"
rmdir "$dir/bm000004_dir.sql"

# the applied middle revision removed: its child names an unknown parent
mv "$dir/bm000002_rev.sql" "$T_TMP/"
reject "an applied revision removed from the middle" bm000003_rev.sql
mv "$T_TMP/bm000002_rev.sql" "$dir/"
ok "10 kinds of broken directory: each reload refused naming the file, old set kept, nothing ran"

# ---- editor leftovers are ignored -----------------------------------------------------
echo 'garbage' >"$dir/.bm000003_rev.sql.swp"
echo 'garbage' >"$dir/bm000003_rev.sql~"
echo 'garbage' >"$dir/.hidden.sql"
echo 'garbage' >"$dir/notes.txt"
out=$(t_json a reload) || fail "reload with editor leftovers: $out"
[[ $(jq -c '[.result.revisions, .result.added, .result.removed, .result.changed]' <<<"$out") == '[3,[],[],[]]' ]] ||
	fail "editor leftovers were not ignored: $out"
ok "editor leftovers, dotfiles and *.txt ignored"

# ---- the applied head's file removed ----------------------------------------------------
mv "$dir/bm000003_rev.sql" "$T_TMP/"
out=$(t_json a reload) || fail "reload without the head: $out"
[[ $(jq -c .result.removed <<<"$out") == '["bm000003"]' ]] || fail "reload: $out"
st=$(t_json a status --fresh)
[[ $(jq -r .result.state <<<"$st") == ahead ]] || fail "state without the head's file: $st"
t_expect 4 ctl a status --check
t_expect 4 ctl a check
t_expect 4 ctl a wait --timeout 5
rc=0
out=$(t_json a upgrade) || rc=$?
((rc == 2)) || fail "upgrade of an ahead database exited $rc: $out"
[[ $(jq -r .error.state <<<"$out") == ahead ]] || fail "upgrade of an ahead database: $out"
t_expect 2 ctl a -q downgrade bm000001 2>/dev/null
sleep 0.5
[[ $(rows) == bm000003 ]] || fail "the version row moved: $(rows)"
[[ $(t_sql "$db" "SELECT to_regclass('bm3') IS NOT NULL") == t ]] || fail "bm3 was dropped"
mv "$T_TMP/bm000003_rev.sql" "$dir/"
t_expect 0 ctl a -q reload
t_wait_for 5 t_state_is a current
ok "applied head removed: ahead, upgrade/downgrade refused (2), check/wait 4; restored: current"

# ---- a new revision with an SQL error, then fixed -----------------------------------------
t_rev "$dir" bm000004 bm000003 'CREATE TABLE bm4 (id int);
INSERT INTO bm4 VALUES (1 / 0);' 'DROP TABLE bm4;' >/dev/null
# the reload answers with the auto-migrate it started: failed, exit 1
t_expect 1 ctl a -q reload
t_wait_for 10 eval '[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = '"'"'bm000004'"'"' AND outcome = '"'"'failed'"'"'") == 1 ]]'
sleep 3
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE revision = 'bm000004'") == 1 ]] ||
	fail "the failing revision was retried: $(t_sql "$db" "SELECT outcome, started_at FROM migrated_history WHERE revision = 'bm000004'")"
[[ $(t_sql "$db" "SELECT to_regclass('bm4') IS NULL") == t ]] || fail "bm4 left behind"
[[ $(t_field a .result.state) == behind ]] || fail "state after a failed auto-migrate"
t_rev "$dir" bm000004 bm000003 'CREATE TABLE bm4 (id int);
INSERT INTO bm4 VALUES (1);' 'DROP TABLE bm4;' >/dev/null
out=$(t_json a reload) || fail "reload of the fixed file: $out"
[[ $(jq -c .result.changed <<<"$out") == '["bm000004"]' ]] || fail "reload: $out"
t_wait_for 10 t_state_is a current
[[ $(t_sql "$db" "SELECT count(*) FROM bm4") == 1 ]] || fail "bm4 rows"
ok "a failing new revision: one failed row, no retries; fixed and reloaded: auto-migrated"

# ---- edited and added while an upgrade runs -------------------------------------------------
# slow ID DOWN N: bmN, a 2 s sleep, row N
slow() {
	t_rev "$dir" "$1" "$2" "CREATE TABLE bm$3 (id int);
SELECT pg_sleep(2);
INSERT INTO bm$3 VALUES ($3);" "DROP TABLE bm$3;" >/dev/null
}
running() {
	[[ -n $(t_sql "$db" "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(2)%' AND state = 'active'") ]]
}
slow bm000005 bm000004 5
f_reload_bg a
t_wait_for 10 running
# the running revision's file is edited, a new one is added
sed -i 's/INSERT INTO bm5 VALUES (5);/INSERT INTO bm5 VALUES (55);/' "$dir/bm000005_rev.sql"
t_rev "$dir" bm000006 bm000005 'CREATE TABLE bm6 (id int);' 'DROP TABLE bm6;' >/dev/null
# the reload answers with the auto-migrate it starts, which the drift of
# bm000005 stops: exit 1, drift_detected; the log says what it loaded
rc=0
out=$(t_json a reload) || rc=$?
((rc == 1)) && [[ $(jq -r .error.code <<<"$out") == drift_detected ]] ||
	fail "reload during an upgrade: exit $rc: $out"
grep -q "reloaded $dir: 6 revision(s), 1 added, 0 removed, 1 changed" "$T_TMP/a.log" ||
	fail "reload during an upgrade: $(grep 'reloaded ' "$T_TMP/a.log" | tail -n 1)"
t_wait_for 15 eval '[[ $(rows) == bm000005 ]]'
[[ $(t_sql "$db" "SELECT string_agg(id::text, ',') FROM bm5") == 5 ]] ||
	fail "bm000005 did not run the SQL it started with: $(t_sql "$db" "SELECT * FROM bm5")"
st=$(t_json a status --fresh)
[[ $(jq -c '[.result.drift[].revision]' <<<"$st") == '["bm000005"]' ]] ||
	fail "the edit of a revision while it ran is not reported as drift: $st"
# drift stops auto-migrate: bm000006 waits, and the log says why
t_wait_for 5 grep -q 'automatic upgrade failed: .*changed since they ran' "$T_TMP/a.log"
sleep 0.5
[[ $(rows) == bm000005 ]] || fail "an upgrade ran over drift: $(rows)"
sed -i 's/INSERT INTO bm5 VALUES (55);/INSERT INTO bm5 VALUES (5);/' "$dir/bm000005_rev.sql"
t_expect 0 ctl a -q reload
t_wait_for 10 eval '[[ $(rows) == bm000006 ]]'
ok "edited while running: the old SQL ran and is recorded (drift, auto-migrate held); restored: the added revision ran"

slow bm000007 bm000006 7
f_reload_bg a
t_wait_for 10 running
t_rev "$dir" bm000008 bm000007 'CREATE TABLE bm8 (id int);' 'DROP TABLE bm8;' >/dev/null
out=$(t_json a reload) || fail "reload during an upgrade: $out"
[[ $(jq -c .result.added <<<"$out") == '["bm000008"]' ]] || fail "reload: $out"
t_wait_for 15 eval '[[ $(rows) == bm000008 ]]'
t_wait_for 5 t_state_is a current
[[ -z $(f_history_dups "$db") ]] || fail "applied twice: $(f_history_dups "$db")"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome = 'failed'") == 1 ]] ||
	fail "failed rows: $(t_sql "$db" "SELECT revision, error FROM migrated_history WHERE outcome = 'failed'")"
ok "added while an upgrade runs: applied right after it"

f_alive a && [[ $(t_pid a) == "$pid" ]] || fail "the daemon is not the same"
t_stop a
echo "# FIGURES bad-migrations: 10 broken directories rejected, 0 crashes, 0 partial runs"
