#!/usr/bin/env bash
# A real `alembic upgrade head` (Debian's python3-alembic and
# python3-psycopg2) against the daemon's database at the same time as the
# daemon applies the same revisions (same ids, same SQL, each sleeping
# 0.5 s so that they overlap). The version table lock serialises them:
#  A. alembic first (stock env.py, one transaction): the daemon's step
#     waits on LOCK alembic_version, finds the version rows changed, re-plans
#     (its log says so) and applies nothing;
#  B. the daemon first, alembic with an env.py that locks alembic_version
#     before reading it: alembic waits for the daemon's step, continues from
#     there, and the daemon re-plans the rest away; both succeed;
#  C. the daemon first, stock env.py: alembic cannot see the daemon's
#     uncommitted step, so its CREATE TABLE fails on the daemon's table and
#     its whole transaction rolls back; the daemon finishes;
#  D. alembic first (stock env.py) with the daemon locking alembic_version
#     between alembic's read and its version update: PostgreSQL breaks the
#     deadlock; the daemon retries and re-plans.
# Always: each revision's SQL ran once (one row per table), nothing half
# applied, no duplicate ok rows, the version row is the head.
source "$TOP_SRCDIR/tests/faults/lib.sh"

PYA=/usr/bin/python3
"$PYA" -c 'import alembic, psycopg2' 2>/dev/null ||
	fail "needs Debian's python3-alembic and python3-psycopg2 (scripts/deps --ci)"

nrev=6
dir=$(t_migdir)
adir=$T_TMP/alembic
mkdir -p "$adir/versions"
cat >"$adir/env.py" <<'EOF'
import os
from alembic import context
from sqlalchemy import engine_from_config, pool, text

config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section),
                            prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        if os.environ.get("ALEMBIC_LOCK") == "1":
            # serialise with migrated: its steps take the same lock
            connection.execute(text(
                "LOCK TABLE alembic_version IN EXCLUSIVE MODE"))
        context.run_migrations()
EOF
prev=none apre=None
for ((i = 1; i <= nrev; i++)); do
	id=$(printf 'fr%06d' "$i")
	sql="CREATE TABLE fr_$i (id int); SELECT pg_sleep(0.5); INSERT INTO fr_$i VALUES ($i);"
	t_rev "$dir" "$id" "$prev" "$sql" "DROP TABLE fr_$i;" >/dev/null
	cat >"$adir/versions/${id}_fr.py" <<EOF
from alembic import op

revision = "$id"
down_revision = $apre
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""$sql""")


def downgrade():
    op.execute("DROP TABLE fr_$i")
EOF
	prev=$id apre="\"$id\""
done
head=$prev

# alembic_ini DB: point alembic at database URL DB
alembic_ini() {
	local name=${1#postgresql:///}
	name=${name%%\?*}
	cat >"$adir/alembic.ini" <<EOF
[alembic]
script_location = $adir
sqlalchemy.url = postgresql+psycopg2://$T_USER@/$name?host=$PGHOST&port=$PGPORT&application_name=alembic
EOF
}

# alembic_up [LOCK]: alembic upgrade head; output in $T_TMP/alembic.out
alembic_up() {
	(cd "$adir" && ALEMBIC_LOCK=${1:-0} "$PYA" -m alembic -c alembic.ini \
		upgrade head) >"$T_TMP/alembic.out" 2>&1
}

# alembic_ready LOCK: start alembic upgrade head in the background (pid in
# $ap) with Python, alembic and SQLAlchemy loaded first, which takes seconds
# on a loaded machine; it runs on alembic_go, within milliseconds
alembic_ready() {
	rm -f "$T_TMP/alembic.ready" "$T_TMP/alembic.go"
	(cd "$adir" && ALEMBIC_LOCK=$1 "$PYA" - "$T_TMP" <<'EOF'
import os, sys, time
import alembic.command, alembic.config, alembic.runtime.migration
import psycopg2, sqlalchemy
tmp = sys.argv[1]
open(os.path.join(tmp, "alembic.ready"), "w").close()
for _ in range(12000):
    if os.path.exists(os.path.join(tmp, "alembic.go")):
        break
    time.sleep(0.01)
else:
    sys.exit("no alembic.go within 120 s")
alembic.config.main(argv=["-c", "alembic.ini", "upgrade", "head"])
EOF
	) >"$T_TMP/alembic.out" 2>&1 &
	ap=$!
	t_wait_for 60 test -e "$T_TMP/alembic.ready"
}
alembic_go() { touch "$T_TMP/alembic.go"; }

rows() { t_sql "$db" "SELECT coalesce(string_agg(version_num, ','), '') FROM alembic_version"; }

# once: every table exists with exactly its one row, the head is current
once() {
	local q="SELECT 0" i
	for ((i = 1; i <= nrev; i++)); do
		q+=" + (SELECT count(*) FROM fr_$i WHERE id = $i)"
	done
	[[ $(t_sql "$db" "$q") == "$nrev" ]] || fail "$1: some revision ran twice or not at all"
	[[ $(rows) == "$head" ]] || fail "$1: version rows $(rows)"
	[[ -z $(f_history_dups "$db") ]] || fail "$1: duplicate ok rows: $(f_history_dups "$db")"
}

# alembic_holds MODE: alembic's backend holds MODE on alembic_version
alembic_holds() {
	[[ -n $(t_sql "$db" "SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE a.application_name = 'alembic' AND l.relation = 'alembic_version'::regclass
		AND l.mode = '$1' AND l.granted") ]]
}

daemon_sleeping() {
	[[ -n $(t_sql "$db" "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'migrated@%'
		AND query LIKE '%pg_sleep(0.5)%' AND state = 'active'") ]]
}

replans() { grep -c 're-planned' "$T_TMP/$1.log" || true; }

# ---- A: alembic first, stock env.py ------------------------------------------------
db=$(t_newdb)
alembic_ini "$db"
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
alembic_up 0 &
ap=$!
# once alembic has written its first version row it holds ROW EXCLUSIVE on
# alembic_version until it commits
t_wait_for 10 alembic_holds RowExclusiveLock
r0=$(replans a)
rc=0
out=$(t_json a upgrade head) || rc=$?
wait "$ap" || fail "A: alembic failed: $(cat "$T_TMP/alembic.out")"
((rc == 0)) || fail "A: the daemon's upgrade exited $rc: $out"
once A
(($(replans a) > r0)) || fail "A: the daemon did not re-plan: $(grep -E 're-plan|step' "$T_TMP/a.log" | tail -5)"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE operation = 'upgrade'") == 0 ]] ||
	fail "A: the daemon ran steps alembic had done"
[[ $(jq -c '.result.steps | length' <<<"$(tail -n 1 <<<"$out")") == 0 ]] || fail "A: result $out"
t_stop a
ok "A: alembic first: the daemon waited on the version table lock, re-planned, ran nothing"

# ---- B: the daemon first, alembic locking alembic_version first ------------------------------
db=$(t_newdb)
alembic_ini "$db"
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
alembic_ready 1
ctl a upgrade head >"$T_TMP/up.out" 2>&1 &
up=$!
# start alembic while the daemon is in its second revision
t_wait_for 10 eval '[[ $(rows) == fr000001 ]]'
t_wait_for 10 daemon_sleeping
r0=$(replans a)
alembic_go
wait "$ap" || fail "B: alembic failed: $(cat "$T_TMP/alembic.out")"
wait "$up" || fail "B: the daemon's upgrade failed: $(cat "$T_TMP/up.out")"
once B
(($(replans a) > r0)) || fail "B: the daemon did not re-plan"
d=$(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE operation = 'upgrade' AND outcome = 'ok'")
((d >= 2 && d < nrev)) || fail "B: the daemon applied $d revisions (alembic should have done the rest)"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome <> 'ok'") == 0 ]] || fail "B: failed rows"
grep -qiE 'error|already exists' "$T_TMP/alembic.out" && fail "B: alembic: $(cat "$T_TMP/alembic.out")"
t_stop a
ok "B: daemon first, alembic locking first: daemon did $d, alembic the rest, no error on either side"

# ---- C: the daemon first, stock env.py ------------------------------------------------------
db=$(t_newdb)
alembic_ini "$db"
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
alembic_ready 0
ctl a upgrade head >"$T_TMP/up.out" 2>&1 &
up=$!
t_wait_for 10 eval '[[ $(rows) == fr000001 ]]'
t_wait_for 10 daemon_sleeping
rc=0
alembic_go
wait "$ap" || rc=$?
wait "$up" || fail "C: the daemon's upgrade failed: $(cat "$T_TMP/up.out")"
once C
if ((rc == 0)); then
	# possible only if alembic read the rows after the daemon finished
	echo "# C: alembic succeeded: $(tail -n 2 "$T_TMP/alembic.out")"
else
	grep -qiE 'already exists|duplicate key' "$T_TMP/alembic.out" ||
		fail "C: alembic failed otherwise: $(cat "$T_TMP/alembic.out")"
	echo "# C: alembic's transaction failed and rolled back: $(grep -m1 -oiE '(psycopg2\.errors\.[A-Za-z]+|DuplicateTable|UniqueViolation)[^"]*' "$T_TMP/alembic.out" | head -1)"
fi
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE operation = 'upgrade' AND outcome = 'ok'") == "$nrev" ]] ||
	fail "C: the daemon did not apply every revision"
t_stop a
ok "C: daemon first, stock env.py: alembic $( ((rc == 0)) && echo succeeded || echo 'failed and rolled back'), the daemon applied all, nothing twice"

# ---- D: alembic first; the daemon locks between alembic's read and its write -------------------
db=$(t_newdb)
alembic_ini "$db"
t_start a "$db" "$dir" --no-auto-migrate
t_wait_for 10 t_state_is a behind
alembic_up 0 &
ap=$!
# alembic has read the version table (ACCESS SHARE) and runs fr000001's SQL
t_wait_for 10 eval '[[ -n $(t_sql "$db" "SELECT 1 FROM pg_stat_activity WHERE application_name = '"'"'alembic'"'"' AND query LIKE '"'"'%pg_sleep(0.5)%'"'"' AND state = '"'"'active'"'"'") ]]'
alembic_holds RowExclusiveLock && fail "D: too late, alembic already wrote a version row"
rc=0
out=$(t_json a upgrade head) || rc=$?
arc=0
wait "$ap" || arc=$?
echo "# D: daemon upgrade exit $rc ($(jq -r '.error.sqlstate // .error.code // "ok"' <<<"$(tail -n 1 <<<"$out")")), alembic exit $arc"
grep -E 'deadlock|re-planned|lock timeout|retrying' "$T_TMP/a.log" | tail -2 | sed 's/^/# D: /'
# whoever lost the deadlock: its transaction rolled back entirely
if ((arc != 0)); then
	grep -qi deadlock "$T_TMP/alembic.out" || fail "D: alembic failed otherwise: $(cat "$T_TMP/alembic.out")"
	t_expect 0 ctl a -q upgrade head
fi
once D
((rc == 0)) || fail "D: the daemon's upgrade failed on a concurrent alembic: $out"
[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome <> 'ok'") == 0 ]] ||
	fail "D: failed rows: $(t_sql "$db" "SELECT revision, error FROM migrated_history WHERE outcome <> 'ok'")"
t_stop a
ok "D: alembic first, the daemon between its read and write: deadlock broken, $( ((arc == 0)) && echo 'alembic applied, the daemon re-planned' || echo 'the daemon applied, alembic rolled back')"
echo "# FIGURES foreign-runner: alembic + migrated on 6 overlapping revisions, 4 orders: 0 duplicates, 0 half-applied"
