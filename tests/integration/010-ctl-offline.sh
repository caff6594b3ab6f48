#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# 010-ctl-offline.sh -- migratectl's offline commands (lint, revision, merge,
# history --dir), its command line and its exit codes without a daemon.
# Needs no PostgreSQL.  Runs from any directory:
#
#   TOP_SRCDIR    source tree (default: two levels above this script)
#   TOP_BUILDDIR  build tree (default: TOP_SRCDIR)
#   MIGRATECTL    the binary (default: $TOP_BUILDDIR/ctl/migratectl)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-${top_srcdir:-$(cd "$here/../.." && pwd)}}
TOP_BUILDDIR=${TOP_BUILDDIR:-${top_builddir:-$TOP_SRCDIR}}
MIGRATECTL=${MIGRATECTL:-$TOP_BUILDDIR/ctl/migratectl}
SAMPLE=$TOP_SRCDIR/migrations/versions

if [[ ! -x $MIGRATECTL ]]; then
	echo "not ok - $MIGRATECTL is not built" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/010-ctl-offline.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Nothing from the caller's environment may steer the binary.
unset MIGRATIONS_DIR MIGRATED_SOCKET
export NO_COLOR=1

failures=0
fail() {
	echo "not ok - $*"
	[[ -s $tmp/out ]] && sed 's/^/#   stdout: /' "$tmp/out"
	[[ -s $tmp/err ]] && sed 's/^/#   stderr: /' "$tmp/err"
	failures=$((failures + 1))
	return 0
}
ok() { echo "ok - $*"; }

# run ARGS...: run migratectl; stdout in $tmp/out, stderr in $tmp/err, $rc.
run() {
	rc=0
	"$MIGRATECTL" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# expect CODE NAME ARGS...: run and check the exit status.
expect() {
	local want=$1 name=$2
	shift 2
	run "$@"
	if [[ $rc -eq $want ]]; then ok "$name"; else
		fail "$name: exit $rc, expected $want"; fi
}

sample_copy() {
	rm -rf "$1"
	mkdir -p "$1"
	cp "$SAMPLE"/*.sql "$1"/
}

heads_of() {
	"$MIGRATECTL" --json lint --dir "$1" | sed -n \
	    's/.*"heads":\[\([^]]*\)\].*/\1/p' | tr -d '"'
}

# ---- command line --------------------------------------------------------
expect 0 "--help exits 0" --help
grep -q '^Exit codes:' "$tmp/out" || fail "--help lists the exit codes"
for verb in status current heads history log upgrade downgrade stamp verify \
    check wait reload cancel resolve lint revision merge; do
	grep -q "^  $verb\\b" "$tmp/out" || fail "--help lists $verb"
done
expect 0 "--version exits 0" --version
grep -q '^migratectl ' "$tmp/out" || fail "--version names the program"
expect 2 "unknown command exits 2" frobnicate
expect 2 "unknown option exits 2" status --frobnicate
expect 2 "missing argument exits 2" downgrade
expect 2 "too many arguments exits 2" stamp a b
expect 2 "resolve needs --applied or --rolled-back" -s "$tmp/none" \
    resolve abcd

# ---- daemon commands without a daemon -----------------------------------
expect 69 "status without a daemon exits 69" -s "$tmp/no-such.sock" status
grep -q 'no-such.sock' "$tmp/err" || fail "the error names the socket"
MIGRATED_SOCKET=$tmp/env.sock expect 69 "MIGRATED_SOCKET is used" current
grep -q 'env.sock' "$tmp/err" || fail "the socket comes from MIGRATED_SOCKET"
expect 69 "downgrade -1 takes -1 as the target" -s "$tmp/none" downgrade -1
expect 69 "options after the command" upgrade --sql -s "$tmp/none"
run --json -s "$tmp/none" status
if [[ $rc -eq 69 ]] && grep -q '"code":"unreachable"' "$tmp/out"; then
	ok "--json prints an error document"
else
	fail "--json prints an error document"
fi

# ---- lint ----------------------------------------------------------------
expect 0 "lint of the sample directory passes" lint --dir "$SAMPLE"
grep -qx '3 revisions, 1 head: 212c31d97f11 ok' "$tmp/out" ||
    fail "lint summary line"
(cd "$TOP_SRCDIR" && "$MIGRATECTL" lint >/dev/null) ||
    fail "lint defaults to ./migrations/versions"
MIGRATIONS_DIR=$SAMPLE expect 0 "lint reads MIGRATIONS_DIR" lint -q
[[ ! -s $tmp/out ]] || fail "-q prints nothing"

broken=$tmp/broken
mkdir -p "$broken"
cat >"$broken/aaaa0001_first.sql" <<'EOF'
-- revision: aaaa0001
-- down_revision: none
-- colour: blue

-- +upgrade
CREATE TABLE t (id int);
-- +downgrade
DROP TABLE t;
EOF
cat >"$broken/bbbb0002_second.sql" <<'EOF'
-- revision: bbbb0002
-- down_revision: aaaa0001

-- +upgrade
CREATE TABLE u (id int);
COMMIT;
-- +downgrade
DROP TABLE u;
EOF
cat >"$broken/cccc0003_third.sql" <<'EOF'
-- revision: ffff0003
-- down_revision: bbbb0002

-- +upgrade
SELECT 1;
EOF
expect 1 "lint of a broken directory exits 1" lint --dir "$broken"
for f in aaaa0001_first bbbb0002_second cccc0003_third; do
	grep -Eq "^$broken/$f\\.sql:[0-9]+: " "$tmp/err" ||
	    fail "lint reports $f.sql as FILE:LINE"
done
grep -Eq "aaaa0001_first\\.sql:3: " "$tmp/err" ||
    fail "lint names the line of the unknown key"
sort -t: -k1,1 -k2,2n -s "$tmp/err" | cmp -s - "$tmp/err" ||
    fail "lint sorts its diagnostics"
[[ $(wc -l <"$tmp/err") -ge 3 ]] || fail "lint reports every error"
run --json lint --dir "$broken"
grep -q '"ok":false' "$tmp/out" || fail "lint --json says ok:false"

graph=$tmp/graph
sample_copy "$graph"
sed 's/^-- down_revision: .*/-- down_revision: 0123456789ab/' \
    "$SAMPLE/d382069dacef_add_writing_styles.sql" \
    >"$graph/d382069dacef_add_writing_styles.sql"
expect 1 "lint reports an unknown parent" lint --dir "$graph"
grep -Eq "d382069dacef_add_writing_styles\\.sql:2: .*0123456789ab" \
    "$tmp/err" || fail "the unknown parent is reported as FILE:LINE"

# ---- revision --------------------------------------------------------------
work=$tmp/work
sample_copy "$work"
expect 0 "revision -m creates a file" revision -m "Add: user prefs!" \
    --dir "$work"
new=$(cat "$tmp/out")
if [[ $new =~ ^$work/([0-9a-f]{12})_add_user_prefs\.sql$ && -f $new ]]; then
	ok "the new file is <12 hex>_<slug>.sql"
	newid=${BASH_REMATCH[1]}
else
	fail "unexpected new file '$new'"
	newid=none
fi
grep -qx -- '-- down_revision: 212c31d97f11' "$new" ||
    fail "the new revision is chained to the head"
grep -qx -- '-- message: Add: user prefs!' "$new" || fail "message header"
grep -Eqx -- '-- create_date: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\+00' \
    "$new" || fail "create_date header"
grep -qx -- '-- +upgrade' "$new" && grep -qx -- '-- +downgrade' "$new" ||
    fail "the new file has both sections"
expect 0 "the directory still lints" lint --dir "$work"
grep -qx "4 revisions, 1 head: $newid ok" "$tmp/out" ||
    fail "the new revision is the head"
[[ -z $(find "$work" -name '.*' -type f) ]] ||
    fail "no temporary file is left behind"

expect 0 "revision --no-transaction" revision -m "concurrent index" \
    --no-transaction --dir "$work"
grep -qx -- '-- transactional: false' "$(cat "$tmp/out")" ||
    fail "--no-transaction writes transactional: false"
expect 2 "revision without -m exits 2" revision --dir "$work"
expect 1 "revision in a broken directory exits 1" revision -m x \
    --dir "$broken"
[[ $(find "$broken" -name '*.sql' | wc -l) -eq 3 ]] ||
    fail "nothing is written into a broken directory"

empty=$tmp/empty
mkdir -p "$empty"
expect 0 "revision in an empty directory" revision -m "first" --dir "$empty"
grep -qx -- '-- down_revision: none' "$(cat "$tmp/out")" ||
    fail "the first revision has down_revision: none"

# ---- branches and merge -----------------------------------------------------
expect 0 "revision --head makes a branch" revision -m "other branch" \
    --head 212c --dir "$work"
branch=$(sed -n 's/^-- revision: //p' "$(cat "$tmp/out")")
expect 0 "two heads lint" lint --dir "$work"
grep -q '2 heads' "$tmp/out" || fail "lint counts two heads"
MIGRATIONS_DIR=$work expect 2 "revision with two heads needs --head" \
    revision -m "ambiguous"
for h in $(heads_of "$work" | tr ',' ' '); do
	grep -q "$h" "$tmp/err" || fail "the error names head $h"
done
expect 0 "history --dir" history --dir "$work"
grep -q "^212c31d97f11 -> $branch (head), other branch\$" "$tmp/out" ||
    fail "history shows the branch as Alembic does"
grep -q "(branchpoint), seed data\$" "$tmp/out" ||
    fail "history marks the branch point"

expect 2 "merge of one revision exits 2" merge -m "m" 212c --dir "$work"
expect 2 "merge with an ancestor exits 2" merge -m "m" 212c 2e01 \
    --dir "$work"
expect 0 "merge heads" merge -m "merge branches" heads --dir "$work"
merge=$(cat "$tmp/out")
expect 0 "the merged directory lints" lint --dir "$work"
grep -q ', 1 head: ' "$tmp/out" || fail "merge makes one head again"
grep -Eq -- '^-- down_revision: [0-9a-f]{12}, [0-9a-f]{12}$' "$merge" ||
    fail "the merge names both parents"
run history --dir "$work"
grep -q "(head) (mergepoint), merge branches\$" "$tmp/out" ||
    fail "history marks the merge point"
expect 0 "revision after the merge needs no --head" revision -m "after" \
    --dir "$work"

if [[ $failures -gt 0 ]]; then
	echo "# $failures failure(s)"
	exit 1
fi
echo "# all passed"
