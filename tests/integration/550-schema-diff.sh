#!/usr/bin/env bash
# 550-schema-diff: every fixture pair tests/data/schema-diff/CASE/{a,b}.sql
# through the real tools (doc/autogenerate.md). For each: a migrations
# directory whose one revision is a.sql; `revision --autogenerate` toward
# b.sql must succeed (it proves its plan itself), then, independently of
# that proof:
#   - migrated --once applies the new revisions to a copy of A; its
#     pg_dump --schema-only equals b.sql's (column order aside: not modelled)
#   - a second `diff` finds nothing to do
#   - the generated text holds each line of CASE/expect (below)
#   - the downgrade sections, newest first, return to A's dump, and the
#     proof ran them (gen.json downgrade_proved); unless the plan is
#     irreversible (CASE/irreversible): then no revision of it has a
#     downgrade section and the proof says it skipped the downgrade
#   - rows of seed.sql (run after A) survive unless a statement claims loss
#   - tables no statement claims to rewrite keep their relfilenode
#   - migratectl lint finds nothing in the new revisions (errors and
#     warnings) but the rules CASE/lint-ok lists, one id a line
# Optional files of a case: args (extra flags, one line), seed.sql, lint-ok,
# refused (the plan must be refused: exit 1, nothing written),
# irreversible, unmodelled (holds a word the report must name), expect:
# one fixed string a line that must occur in the new revision files (the
# safe forms: CONCURRENTLY, NOT VALID, -- LOSSY:, ...); "nt: TEXT" must
# occur in a transactional: false revision, "lock: OBJECT LOCK" in the
# summary's object and lock columns, "!TEXT" nowhere in all of that.
# 551-559 run the other tenths (SCHEMA_DIFF_SHARD=K/10, by position in
# name order), so that each stays well within the per-test timeout. SCHEMA_DIFF_CASES="glob ..." runs a subset;
# SCHEMA_DIFF_JOBS sets the parallelism (default 4).

case_main() {
	set -euo pipefail
	local c=$1 src w args=() again=() x rc i
	src=$FIXDIR/$c
	w=$WORK/$c
	mkdir -p "$w/versions"
	[[ -f $src/args ]] && read -ra args <"$src/args"
	exec >"$w/log" 2>&1
	{
		printf -- '-- revision: base00000000\n-- down_revision: none\n'
		printf -- '-- message: base\n\n-- +upgrade\n'
		cat "$src/a.sql"
	} >"$w/versions/base00000000_base.sql"

	newdb "$c" b
	psql -X -q -v ON_ERROR_STOP=1 -d "$(url "$c" b)" -f "$src/b.sql" >/dev/null
	dump "$c" b >"$w/b.dump"

	rc=0
	"$MIGRATECTL" --json revision --autogenerate -m auto --dir "$w/versions" \
		--schema "$src/b.sql" --dev-url "$DEV" "${args[@]}" \
		>"$w/gen.json" 2>"$w/gen.err" || rc=$?
	if [[ -f $src/unmodelled ]]; then
		((rc == 0)) || die "$c: autogenerate exited $rc: $(cat "$w/gen.err")"
		grep -qi "unmodelled.*$(cat "$src/unmodelled")" "$w/gen.json" ||
			die "$c: the unmodelled object is not reported: $(cat "$w/gen.json")"
		echo "PASS $c (unmodelled, reported)"
		return 0
	fi
	if [[ -f $src/refused ]]; then
		((rc == 1)) || die "$c: expected the plan to be refused (exit 1), got $rc"
		(($(ls "$w/versions" | wc -l) == 1)) || die "$c: a refused plan wrote files"
		echo "PASS $c (refused)"
		return 0
	fi
	((rc == 0)) || die "$c: autogenerate exited $rc: $(cat "$w/gen.err")"
	[[ ! -f $src/expect ]] || check_expect "$c" "$w"
	[[ ${SCHEMA_DIFF_LINT:-1} == 0 ]] || check_lint "$c" "$w"

	newdb "$c" x
	x=$(url "$c" x)
	"$MIGRATED" --once -c /dev/null -d "$x" -m "$w/versions" base00000000 >/dev/null
	dump "$c" x >"$w/a.dump"
	[[ -f $src/seed.sql ]] &&
		psql -X -q -v ON_ERROR_STOP=1 -d "$x" -f "$src/seed.sql" >/dev/null
	facts "$x" >"$w/before"

	"$MIGRATED" --once -c /dev/null -d "$x" -m "$w/versions" >"$w/once.out" 2>&1 ||
		die "$c: migrated --once failed on the generated revisions: $(cat "$w/once.out")"
	dump "$c" x >"$w/up.dump"
	diff -u "$w/b.dump" "$w/up.dump" >&2 || die "$c: up does not reach b.sql"
	facts "$x" >"$w/after"
	check_facts "$c" "$w"

	# the renames are done: the second plan gets the other flags only
	again=()
	for ((i = 0; i < ${#args[@]}; i++)); do
		case ${args[i]} in
		--rename) i=$((i + 1)) ;;
		--rename=*) ;;
		*) again+=("${args[i]}") ;;
		esac
	done
	"$MIGRATECTL" diff --no-prove --dir "$w/versions" --schema "$src/b.sql" \
		--dev-url "$DEV" "${again[@]}" >"$w/again" 2>&1 ||
		die "$c: second diff failed: $(cat "$w/again")"
	grep -q '^no changes' "$w/again" || die "$c: a second plan is not empty: $(cat "$w/again")"

	# a revision without a downgrade section: irreversible by design
	# (random pairs may be; a fixture says so with CASE/irreversible)
	local irreversible=0 nrev=0 f
	for f in "$w"/versions/[0-9a-f]*_auto*.sql; do
		[[ -e $f ]] || continue # no revision: the plan was empty
		nrev=$((nrev + 1))
		grep -q -- '^-- +downgrade' "$f" || irreversible=1
	done
	if ((irreversible)); then
		[[ -f $src/irreversible || ${SCHEMA_DIFF_IRREVERSIBLE_OK:-0} == 1 ]] ||
			die "$c: the plan is irreversible, the fixture does not say so"
		jq -e '.proved == true and .downgrade_proved == false and
			any(.revisions[]; .downgrade == null)' "$w/gen.json" >/dev/null ||
			die "$c: irreversible, but the proof or the JSON claims a downgrade: $(cat "$w/gen.json")"
		grep -q -- '^-- no downgrade: this revision cannot be undone' "$w"/versions/*_auto*.sql ||
			die "$c: the irreversible revision does not say it has no downgrade"
		dropdbs "$c"
		echo "PASS $c (irreversible)"
		return 0
	fi
	[[ ! -f $src/irreversible ]] || die "$c: expected an irreversible revision"
	((nrev == 0)) || jq -e '.downgrade_proved == true' "$w/gen.json" >/dev/null ||
		die "$c: the proof did not run the downgrade: $(cat "$w/gen.json")"
	downgrade "$w" "$x"
	dump "$c" x >"$w/down.dump"
	diff -u "$w/a.dump" "$w/down.dump" >&2 || die "$c: down does not return to a.sql"
	dropdbs "$c"
	echo "PASS $c"
}

die() {
	echo "FAIL $*" >&2
	exit 1
}

dbname() { echo "sd_${1//[^a-z0-9_]/_}_$2"; }
url() { echo "postgresql:///$(dbname "$1" "$2")?host=$PGHOST&port=$PGPORT&user=$PGUSER"; }
newdb() {	# a failed case of an earlier run may have left it
	psql -X -qAt -d postgres \
		-c "DROP DATABASE IF EXISTS \"$(dbname "$1" "$2")\" WITH (FORCE)" \
		-c "CREATE DATABASE \"$(dbname "$1" "$2")\" TEMPLATE template0" >/dev/null
}
dropdbs() {
	psql -X -qAt -d postgres -c "DROP DATABASE IF EXISTS \"$(dbname "$1" b)\" WITH (FORCE)" \
		-c "DROP DATABASE IF EXISTS \"$(dbname "$1" x)\" WITH (FORCE)" >/dev/null
}

# pg_dump --schema-only without what differs by nature: comments, SET
# lines, psql's \restrict, the state tables; columns sorted inside each
# CREATE TABLE (column order is not modelled: PostgreSQL appends).
dump() {
	local privs=--no-privileges
	# with --grants the privileges are part of what must match
	grep -qs -- --grants "$FIXDIR/$1/args" && privs=
	"${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_dump" --schema-only \
		--no-owner $privs -T public.alembic_version \
		-T public.migrated_history -T public.migrated_history_id_seq \
		-T public.migrated_schema \
		-d "$(url "$1" "$2")" |
		awk '
			/^--/ || /^\\(un)?restrict / || /^SET / || /^$/ { next }
			/^SELECT pg_catalog.set_config/ { next }
			/^CREATE (UNLOGGED )?TABLE .*\($/ { print; inblk = 1; n = 0; next }
			inblk && /^\)/ {
				for (i = 1; i <= n; i++)
					for (j = i + 1; j <= n; j++)
						if (col[j] < col[i]) { t = col[i]; col[i] = col[j]; col[j] = t }
				for (i = 1; i <= n; i++) print col[i]
				inblk = 0; print; next
			}
			inblk { sub(/,$/, ""); col[++n] = $0; next }
			{ print }'
}

# One line per user table: name, row count, relfilenode.
facts() {
	psql -X -qAt -F ' ' -d "$1" -c "SELECT t, (xpath('/row/c/text()',
	    query_to_xml(format('SELECT count(*) AS c FROM %s', t), false, true,
	    '')))[1]::text, pg_relation_filenode(t)
	    FROM (SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables
	    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
	    AND tablename NOT IN ('alembic_version', 'migrated_history')) s ORDER BY 1"
}

# Rows survive and relfilenodes stay unless a statement says otherwise.
check_facts() {
	local c=$1 w=$2 t n f n2 f2 lossy rewritten
	lossy=$(jq -r '.revisions[].upgrade[] | select(.loses_data) | .object' "$w/gen.json")
	rewritten=$(jq -r '.revisions[].upgrade[] | select(.rewrite) | .table' "$w/gen.json")
	while read -r t n f; do
		read -r n2 f2 < <(awk -v t="$t" '$1 == t { print $2, $3 }' "$w/after") || continue
		[[ -n ${n2:-} ]] || continue
		# a table whose data a statement claims lost may be new
		grep -qE "^(table|column) ${t//./\\.}(\\.|$)" <<<"$lossy" && continue
		[[ $n == "$n2" ]] ||
			die "$c: $t had $n rows before the upgrade and $n2 after, and nothing claims a loss"
		if ! grep -qxF "$t" <<<"$rewritten" && [[ $f != "$f2" ]]; then
			die "$c: $t was rewritten (relfilenode $f -> $f2) but no statement claims it"
		fi
	done <"$w/before"
}

# CASE/expect: each line must occur in what autogenerate wrote (see top).
check_expect() {
	local c=$1 w=$2 f line hay=$2/expect.hay
	: >"$hay"
	for f in "$w"/versions/[0-9a-f]*_auto*.sql; do
		[[ -e $f ]] || continue
		cat "$f" >>"$hay"
		grep -q '^-- transactional: false' "$f" && sed 's/^/nt: /' "$f" >>"$hay"
	done
	jq -r '.revisions[].upgrade[] | "lock: \(.object) \(.lock // "-")"' \
		"$w/gen.json" >>"$hay"
	while IFS= read -r line || [[ -n $line ]]; do
		[[ -n $line ]] || continue
		if [[ $line == '!'* ]]; then
			! grep -qF -- "${line#!}" "$hay" ||
				die "$c: the generated text has '${line#!}': $(cat "$hay")"
		else
			grep -qF -- "$line" "$hay" ||
				die "$c: the generated text lacks '$line': $(cat "$hay")"
		fi
	done <"$FIXDIR/$c/expect"
}

# The generated revisions pass our own lint: no finding (error or
# warning; notes aside) but those whose rule CASE/lint-ok lists, one rule
# id a line: what the generator writes is what the linter recommends, and
# what it cannot is explicit (doc/autogenerate.md, known limits).
check_lint() {
	local c=$1 w=$2 ok=()
	[[ -f $FIXDIR/$c/lint-ok ]] && mapfile -t ok <"$FIXDIR/$c/lint-ok"
	"$MIGRATECTL" lint --json --fail-on none --dir "$w/versions" >"$w/lint.json" ||
		die "$c: lint failed: $(cat "$w/lint.json")"
	jq -r --args '.findings[] | select(.suppressed == null and
		.severity != "note" and (.file | test("_auto[^/]*[.]sql$")) and
		(.rule | IN($ARGS.positional[]) | not)) |
		"\(.file):\(.line): \(.severity) \(.rule): \(.message)"' \
		"${ok[@]}" <"$w/lint.json" >"$w/lint.bad"
	[[ ! -s $w/lint.bad ]] ||
		die "$c: lint finds in the generated revisions: $(cat "$w/lint.bad")"
}

# The downgrade sections of the generated revisions, newest first (the
# chain of down_revision from the base), as the daemon runs them: one
# transaction, or statement by statement for transactional: false.
downgrade() {
	local w=$1 x=$2 prev=base00000000 f next single order=()
	while :; do
		next=$(grep -l "^-- down_revision: $prev\$" "$w"/versions/*.sql | head -n 1 || true)
		[[ -n $next ]] || break
		order=("$next" "${order[@]}")
		prev=$(sed -n 's/^-- revision: //p' "$next")
	done
	for f in "${order[@]}"; do
		single=-1
		grep -q '^-- transactional: false' "$f" && single=
		awk '/^-- \+downgrade$/ { on = 1; next } /^-- \+upgrade$/ { on = 0 } on' "$f" |
			psql -X -q -v ON_ERROR_STOP=1 $single -d "$x" >/dev/null ||
			die "downgrade of $f failed"
	done
}


# 561-schema-diff-random sources the functions above, then runs its own.
[[ ${SCHEMA_DIFF_LIB:-0} == 1 ]] && return 0

source "$TOP_SRCDIR/tests/lib/daemon.sh"
export FIXDIR=$TOP_SRCDIR/tests/data/schema-diff
export WORK=$T_TMP
export DEV="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
export MIGRATED MIGRATECTL
export -f case_main die dbname url newdb dropdbs dump facts check_facts check_expect \
	check_lint downgrade
command -v jq >/dev/null || fail "jq is needed"

shard=${SCHEMA_DIFF_SHARD:-0/10}
cases=() pos=-1
for d in "$FIXDIR"/*/; do
	c=$(basename "$d")
	pos=$((pos + 1))
	if [[ -z ${SCHEMA_DIFF_CASES:-} ]] &&
		((pos % ${shard#*/} != ${shard%/*})); then
		continue
	fi
	if [[ -n ${SCHEMA_DIFF_CASES:-} ]]; then
		m=0
		for g in $SCHEMA_DIFF_CASES; do [[ $c == $g ]] && m=1; done
		((m)) || continue
	fi
	cases+=("$c")
done
((${#cases[@]} > 0)) || fail "no fixtures in $FIXDIR"

t0=$(date +%s%N)
printf '%s\n' "${cases[@]}" |
	xargs -P "${SCHEMA_DIFF_JOBS:-4}" -I{} bash -c 'case_main "$1" || true' _ {} \
		>"$T_TMP/results" 2>&1 || true
secs=$((($(date +%s%N) - t0) / 1000000000))

pass=0 failed=()
for c in "${cases[@]}"; do
	if grep -q "^PASS $c\b" "$WORK/$c/log" 2>/dev/null; then
		pass=$((pass + 1))
	else
		failed+=("$c")
		echo "---- $c"
		tail -n 30 "$WORK/$c/log" 2>/dev/null || true
	fi
done
echo "schema-diff $shard: $pass of ${#cases[@]} fixtures pass in ${secs}s"
leftover=$(t_sql "$DATABASE_URL" "SELECT count(*) FROM pg_database WHERE datname LIKE 'migrated\_ag\_%'")
((leftover == 0)) || fail "$leftover scratch databases were left behind"
((${#failed[@]} == 0)) || fail "fixtures failed: ${failed[*]}"
ok "all ${#cases[@]} schema-diff fixtures pass"
