#!/usr/bin/env bash
# migratectl lint --db against a real PostgreSQL 15: severity follows the
# catalog (sizes, a table made earlier in the plan, user functions'
# volatility, TimeZone, views, validated CHECKs), the server's version
# beats --pg-version for every version-dependent rule (add-column default
# before 11; REINDEX CONCURRENTLY, ADD VALUE in a transaction and SET NOT
# NULL via a CHECK from 12; DETACH CONCURRENTLY from 14; CONCURRENTLY on
# 14.0-14.3), and every ALTER COLUMN TYPE verdict is checked
# against what the server really does (relfilenode before and after).
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

db=$(t_newdb)
dir=$(t_migdir)
dbname=${db#postgresql:///}
dbname=${dbname%%\?*}
t_sql_su "$db" "ALTER DATABASE \"$dbname\" SET timezone = 'UTC'" >/dev/null

base='CREATE TABLE big (id bigint PRIMARY KEY, name varchar(50),
    note text CONSTRAINT big_note_nn CHECK (note IS NOT NULL),
    created timestamp);
CREATE TABLE small (id int, label text);
CREATE VIEW big_v AS SELECT id, name FROM big;
CREATE TABLE tt (a varchar(50), b varchar(50), c varchar(50), d text,
    e numeric(10, 2), f numeric(10, 2), g int, h cidr, i timestamp,
    j timestamp(3));
CREATE FUNCTION vol() RETURNS int LANGUAGE sql VOLATILE AS $$SELECT 1$$;
CREATE FUNCTION stab() RETURNS int LANGUAGE sql STABLE AS $$SELECT 1$$;
CREATE TYPE mood AS ENUM ('"'"'calm'"'"', '"'"'busy'"'"');
CREATE TABLE nn (id int, v text CONSTRAINT nn_v_nn CHECK (v IS NOT NULL));
CREATE TABLE parts (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE parts_1 PARTITION OF parts
    FOR VALUES FROM ('"'"'2025-01-01'"'"') TO ('"'"'2026-01-01'"'"');'
t_rev "$dir" l0000000001 none "$base" >/dev/null
# Applied by hand, with its version row: the database is at l0000000001.
t_sql "$db" "$base" >/dev/null
t_sql "$db" "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO alembic_version VALUES ('l0000000001');
INSERT INTO big SELECT g, 'n' || g, 'x', now() FROM generate_series(1, 50000) g;
INSERT INTO small SELECT g, 'l' || g FROM generate_series(1, 10) g;
ANALYZE big; ANALYZE small;" >/dev/null

f2=$(t_rev "$dir" l0000000002 l0000000001 'CREATE INDEX big_name_idx ON big (name);
CREATE INDEX small_label_idx ON small (label);
CREATE TABLE fresh (a int);
ALTER TABLE big ADD COLUMN x int DEFAULT vol();
ALTER TABLE big ADD COLUMN y int DEFAULT stab();
ALTER TABLE big ALTER COLUMN created TYPE timestamptz;
ALTER TABLE big ALTER COLUMN name TYPE varchar(100);
ALTER TABLE big ALTER COLUMN note SET NOT NULL;
ALTER TABLE small ALTER COLUMN label SET NOT NULL;
ALTER TABLE small ADD COLUMN flag boolean DEFAULT false;')
f3=$(t_rev "$dir" l0000000003 l0000000002 'CREATE INDEX fresh_a_idx ON fresh (a);')

# lint ARGS...: JSON findings of revision l0000000002/3 as "line rule sev"
findings() {
	{ "$MIGRATECTL" --json lint --dir "$dir" "$@" || true; } |
		jq -r '.findings[] | select(.revision != "l0000000001") |
			"\(.revision[9:]):\(.line) \(.rule) \(.severity)"' | sort
}
has() { grep -qxF -- "$2" <<<"$1" || fail "$3: no '$2' in:
$1"; }
lacks() { ! grep -q -- "$2" <<<"$1" || fail "$3: '$2' in:
$1"; }

# ---- offline: no sizes, no catalog ------------------------------------------
off=$(findings)
has "$off" "02:6 index-not-concurrent error" "offline, big"
has "$off" "02:7 index-not-concurrent error" "offline, small"
has "$off" "03:6 index-not-concurrent error" "offline, a table of an earlier revision"
has "$off" "02:9 add-column-volatile-default warning" "offline, vol() unknown"
has "$off" "02:10 add-column-volatile-default warning" "offline, stab() unknown"
has "$off" "02:11 alter-column-type-rewrite warning" "offline, TimeZone unknown"
has "$off" "02:12 alter-column-type-view error" "offline, view from the files"
lacks "$off" "02:13 " "offline, big_note_nn validated in the files"
has "$off" "02:14 set-not-null-without-check error" "offline, small"
lacks "$off" "02:15 " "offline, constant default on 15"
ok "offline: existing tables are of unknown size, user functions unknown"

# ---- --db: the catalog decides ------------------------------------------------
on=$(findings --db "$db")
has "$on" "02:6 index-not-concurrent error" "--db, big (50,000 rows)"
has "$on" "02:7 index-not-concurrent note" "--db, small (10 rows)"
lacks "$on" "03:6 " "--db, fresh is made earlier in the plan"
has "$on" "02:9 add-column-volatile-default error" "--db, vol() is volatile"
lacks "$on" "02:10 " "--db, stab() is stable"
lacks "$on" "02:11 " "--db, timestamp -> timestamptz under UTC"
has "$on" "02:12 alter-column-type-view error" "--db, pg_depend"
lacks "$on" "02:13 " "--db, big_note_nn is validated"
has "$on" "02:14 set-not-null-without-check note" "--db, small table"
msg=$({ "$MIGRATECTL" lint --dir "$dir" --db "$db" || true; } | grep "$f2:6:")
[[ $msg == *"(~50000 rows,"* ]] || fail "--db names the size: $msg"
ok "--db: sizes, plan-made tables, pg_proc, TimeZone, pg_depend, CHECKs"

# ---- the server's version beats --pg-version ------------------------------------
v10=$(findings --pg-version 10)
has "$v10" "02:15 add-column-volatile-default error" "--pg-version 10: any default"
v10db=$(findings --pg-version 10 --db "$db")
lacks "$v10db" "02:15 " "--db says 15"
# The other version-dependent rules, in a chain of their own on the same
# base: as 11 and 14.2 offline, and with --db, where the server says 15.
vdir=$(t_migdir)
t_rev "$vdir" l0000000001 none "$base" >/dev/null
t_rev "$vdir" l0000000002 l0000000001 'REINDEX TABLE small;
ALTER TABLE parts DETACH PARTITION parts_1;
ALTER TYPE mood ADD VALUE '"'"'meh'"'"';
ALTER TABLE nn ALTER COLUMN v SET NOT NULL;' >/dev/null
t_rev "$vdir" l0000000003 l0000000002 'CREATE INDEX CONCURRENTLY IF NOT EXISTS small_id_idx ON small (id);
REINDEX INDEX CONCURRENTLY small_id_idx;' - 'transactional: false' \
	'lock_timeout: 5s' >/dev/null
vfindings() { local dir=$vdir; findings "$@"; }
# reindex ARGS...: the message of the REINDEX TABLE finding
reindex() {
	{ "$MIGRATECTL" --json lint --dir "$vdir" "$@" || true; } |
		jq -r '.findings[] | select(.revision == "l0000000002" and
			.line == 6 and .rule == "reindex-not-concurrent") | .message'
}
v11=$(vfindings --pg-version 11)
v11db=$(vfindings --pg-version 11 --db "$db")
[[ $(reindex --pg-version 11) == *"no CONCURRENTLY before 12"* ]] ||
	fail "--pg-version 11: REINDEX has no CONCURRENTLY: $(reindex --pg-version 11)"
msg=$(reindex --pg-version 11 --db "$db")
[[ -n $msg && $msg != *"before 12"* ]] ||
	fail "--db says 15: REINDEX CONCURRENTLY exists: '$msg'"
lacks "$v11" "02:7 " "--pg-version 11: no DETACH CONCURRENTLY before 14"
has "$v11db" "02:7 detach-partition-not-concurrent warning" "--db says 15"
has "$v11" "02:8 needs-no-transaction error" "--pg-version 11: ADD VALUE in a transaction"
lacks "$v11db" "02:8 " "--db says 15"
has "$v11" "02:9 set-not-null-without-check error" "--pg-version 11: the CHECK does not help"
lacks "$v11db" "02:9 " "--db says 15: nn_v_nn spares the scan"
v142=$(vfindings --pg-version 14.2)
v142db=$(vfindings --pg-version 14.2 --db "$db")
has "$v142" "03:8 concurrent-index-pg14-bug error" "--pg-version 14.2: CIC"
has "$v142" "03:9 concurrent-index-pg14-bug error" "--pg-version 14.2: REINDEX CONCURRENTLY"
lacks "$v142db" "pg14-bug" "--db says 15"
ok "version-dependent rules follow the server's server_version_num"

# ---- exit codes, formats --------------------------------------------------------
t_expect 1 "$MIGRATECTL" -q lint --dir "$dir" --db "$db" >/dev/null
t_expect 0 "$MIGRATECTL" -q lint --dir "$dir" --db "$db" --fail-on none \
	>/dev/null
t_expect 75 "$MIGRATECTL" -q lint --dir "$dir" \
	--db "postgresql:///nosuchdb?host=$PGHOST&port=$PGPORT" 2>/dev/null
sarif=$("$MIGRATECTL" lint --dir "$dir" --db "$db" --format sarif || true)
[[ $(jq -r .version <<<"$sarif") == 2.1.0 ]] || fail "sarif version"
n=$({ "$MIGRATECTL" --json lint --dir "$dir" --db "$db" || true; } |
	jq '.findings | length')
[[ $(jq '.runs[0].results | length' <<<"$sarif") == "$n" && $n -ge 5 ]] ||
	fail "sarif results: $(jq '.runs[0].results | length' <<<"$sarif") of $n"
[[ $(jq -r '.runs[0].results[0].locations[0].physicalLocation.region.startLine' \
	<<<"$sarif") =~ ^[0-9]+$ ]] || fail "sarif region"
ok "exit 1 on errors, --fail-on none, 75 without a database, SARIF 2.1.0"

# ---- ALTER COLUMN TYPE: lint's verdict against the server's ----------------------
f4=$(t_rev "$dir" l0000000004 l0000000003 'ALTER TABLE tt ALTER COLUMN a TYPE varchar(100);
ALTER TABLE tt ALTER COLUMN b TYPE varchar(20);
ALTER TABLE tt ALTER COLUMN c TYPE text;
ALTER TABLE tt ALTER COLUMN d TYPE varchar(10);
ALTER TABLE tt ALTER COLUMN e TYPE numeric(12, 2);
ALTER TABLE tt ALTER COLUMN f TYPE numeric(10, 4);
ALTER TABLE tt ALTER COLUMN g TYPE bigint;
ALTER TABLE tt ALTER COLUMN h TYPE inet;
ALTER TABLE tt ALTER COLUMN i TYPE timestamptz;
ALTER TABLE tt ALTER COLUMN j TYPE timestamp(6);')
t_sql "$db" "INSERT INTO tt VALUES ('a', 'b', 'c', 'd', 1, 1, 1, '10.0.0.0/8', now(), now())" >/dev/null
# verdicts ARGS...: "LINE yes|no|unknown" for each ALTER of $f4
verdicts() {
	local says line
	says=$({ "$MIGRATECTL" --json lint --dir "$dir" "$@" || true; } |
		jq -r --arg f "$f4" '.findings[] | select(.file == $f and
			.rule == "alter-column-type-rewrite") | "\(.line) \(.severity)"')
	for line in $(seq 6 15); do
		# error offline; a note with --db (tt is small)
		if grep -Eq "^$line (error|note)" <<<"$says"; then
			echo "$line yes"
		elif grep -q "^$line warning" <<<"$says"; then
			echo "$line unknown"
		else
			echo "$line no"
		fi
	done
}
off=$(verdicts)
on=$(verdicts --db "$db")
line=5
while IFS= read -r stmt; do
	line=$((line + 1))
	before=$(t_sql "$db" "SELECT relfilenode FROM pg_class WHERE relname = 'tt'")
	t_sql "$db" "$stmt" >/dev/null
	after=$(t_sql "$db" "SELECT relfilenode FROM pg_class WHERE relname = 'tt'")
	real=no
	[[ $before != "$after" ]] && real=yes
	grep -qx "$line $real" <<<"$on" ||
		fail "--db: $stmt: the server rewrote=$real, lint: $(grep "^$line " <<<"$on")"
	if [[ $stmt == *"COLUMN i "* ]]; then
		grep -qx "$line unknown" <<<"$off" ||
			fail "offline: $stmt: TimeZone is unknown offline"
	else
		grep -qx "$line $real" <<<"$off" ||
			fail "offline: $stmt: the server rewrote=$real, lint: $(grep "^$line " <<<"$off")"
	fi
done < <(sed -n '/^ALTER TABLE tt/p' "$f4")
ok "ALTER COLUMN TYPE: lint predicts each rewrite the server does (10 cases)"

# ---- backfills: EXPLAIN's estimate ---------------------------------------------------
t_rev "$dir" l0000000005 l0000000004 'ALTER TABLE small ADD COLUMN z int;
UPDATE big SET note = note WHERE id < 100;
UPDATE big SET note = note;
DELETE FROM small WHERE id = 1;' >/dev/null
off=$(findings)
has "$off" "05:7 backfill-in-ddl-revision warning" "offline backfill"
has "$off" "05:8 backfill-in-ddl-revision warning" "offline backfill"
on=$(findings --db "$db")
has "$on" "05:7 backfill-in-ddl-revision note" "--db: EXPLAIN says ~99 rows"
has "$on" "05:8 backfill-in-ddl-revision error" "--db: EXPLAIN says ~50000 rows"
has "$on" "05:9 backfill-in-ddl-revision note" "--db: EXPLAIN says 1 row"
msg=$({ "$MIGRATECTL" lint --dir "$dir" --db "$db" || true; } | grep 'l0000000005_rev.sql:8:')
[[ $msg == *"EXPLAIN: ~50000 rows"* ]] || fail "the estimate in the message: $msg"
[[ $(t_sql "$db" "SELECT count(*) FROM big WHERE note IS NULL") == 0 ]] ||
	fail "EXPLAIN changed rows"
ok "backfill in a DDL revision: EXPLAIN's estimate decides (note under 10,000 rows, error above)"

# ---- ATTACH PARTITION: lint's proof against the server's ---------------------------
# The CHECKs come from the catalog (pg_get_constraintdef: offsets, casts,
# = ANY (ARRAY[...])); the server says at DEBUG1 when it skips the scan.
t_sql "$db" "CREATE TABLE pev (id int, at timestamptz) PARTITION BY RANGE (at);
CREATE TABLE pev_a (id int, at timestamptz NOT NULL
    CHECK (at >= '2025-01-01' AND at < '2026-01-01'));
CREATE TABLE pev_b (id int, at timestamptz NOT NULL
    CHECK (at >= '2025-01-01' AND at < '2026-01-01'));
CREATE TABLE pev_c (id int, at timestamptz CHECK (at IS NOT NULL));
CREATE TABLE pev_d (id int, at timestamptz NOT NULL
    CHECK (at >= '2027-02-01' AND at < '2027-03-01'));
CREATE TABLE pev_e (id int, at timestamptz
    CHECK (at IS NOT NULL AND at >= '2028-01-01' AND at < '2029-01-01'));
CREATE TABLE pev_f (id int, at timestamptz
    CHECK (at >= '2029-01-01' AND at < '2030-01-01'));
CREATE TABLE plist (region varchar(8)) PARTITION BY LIST (region);
CREATE TABLE plist_eu (region varchar(8) NOT NULL CHECK (region IN ('de', 'fr')));
CREATE TABLE plist_us (region varchar(8) CHECK (region = 'us'));
CREATE TABLE pint (id int NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE pint_1 (id int NOT NULL CHECK (id >= -5 AND id <= 99));
CREATE TABLE pint_2 (id int NOT NULL CHECK (id BETWEEN 100 AND 200));" >/dev/null
f6=$(t_rev "$dir" l0000000006 l0000000005 "ALTER TABLE pev ATTACH PARTITION pev_a FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE pev ATTACH PARTITION pev_b FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
ALTER TABLE pev ATTACH PARTITION pev_c FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE pev ATTACH PARTITION pev_d FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
ALTER TABLE pev ATTACH PARTITION pev_e FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
ALTER TABLE pev ATTACH PARTITION pev_f FOR VALUES FROM ('2029-01-01') TO ('2030-01-01');
ALTER TABLE plist ATTACH PARTITION plist_eu FOR VALUES IN ('de', 'fr', 'it');
ALTER TABLE plist ATTACH PARTITION plist_us FOR VALUES IN ('us');
ALTER TABLE pint ATTACH PARTITION pint_1 FOR VALUES FROM (-5) TO (100);
ALTER TABLE pint ATTACH PARTITION pint_2 FOR VALUES FROM (100) TO (200);")
# attach ARGS...: lines of $f6 that lint flags
attach() {
	{ "$MIGRATECTL" --json lint --dir "$dir" "$@" || true; } |
		jq -r --arg f "$f6" '.findings[] | select(.file == $f and
			.rule == "attach-partition-without-check") | .line'
}
[[ $(attach | wc -l) == 10 ]] || fail "offline, no CHECK is known: $(attach)"
on=$(attach --db "$db")
line=5
proved=0
while IFS= read -r stmt; do
	line=$((line + 1))
	out=$(psql -X -qAt -v ON_ERROR_STOP=1 -d "$db" \
		-c "SET client_min_messages = debug1" -c "$stmt" 2>&1) ||
		fail "$stmt: $out"
	if grep -q "is implied by existing constraints" <<<"$out"; then
		proved=$((proved + 1))
		! grep -qx "$line" <<<"$on" ||
			fail "--db: $stmt: the server skips the scan, lint flags it"
	else
		grep -qx "$line" <<<"$on" ||
			fail "--db: $stmt: the server scans, lint does not flag it"
	fi
done < <(sed -n '/^ALTER TABLE/p' "$f6")
[[ $proved == 5 ]] || fail "the server skipped $proved scans, not 5"
ok "ATTACH PARTITION: lint flags exactly the scans the server does (10 cases)"
