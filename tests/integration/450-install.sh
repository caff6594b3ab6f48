#!/usr/bin/env bash
# Safe install defaults: `make install` puts the demo schema under the
# documentation (docdir/examples/versions), never in a migrations directory
# a daemon would use; a daemon whose migrations directory does not exist
# refuses to start with exit 78, naming the key, the value and its source
# (flag, environment, file line or default).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

# ---- make install into a scratch root -------------------------------------
[[ -f $TOP_BUILDDIR/Makefile ]] || fail "no Makefile in $TOP_BUILDDIR"
root=$T_TMP/root
make -s -C "$TOP_BUILDDIR" install DESTDIR="$root" prefix=/usr \
	sysconfdir=/etc >"$T_TMP/install.log" 2>&1 ||
	fail "make install: $(tail -20 "$T_TMP/install.log")"
[[ -x $root/usr/sbin/migrated && -x $root/usr/bin/migratectl ]] ||
	fail "binaries not installed: $(cd "$root" && find . -type f)"
ex=$root/usr/share/doc/migrated/examples/versions
for f in "$TOP_SRCDIR"/migrations/versions/*.sql; do
	cmp -s "$f" "$ex/$(basename "$f")" ||
		fail "$(basename "$f") not installed in $ex"
done
[[ ! -e $root/usr/share/migrated/versions ]] ||
	fail "make install populated the default migrations directory"
[[ ! -e $root/etc/migrated/migrated.conf ]] ||
	fail "make install wrote a real migrated.conf"
ok "make install: the demo schema is an example in docdir, not a default"

# ---- a missing migrations directory: exit 78 naming key, value, source ----
db=$(t_newdb)
nope=$T_TMP/no-such-dir
# expect_78 WHAT SOURCE-TEXT CMD...: exit 78, the message names the source
expect_78() {
	local what=$1 src=$2 rc=0
	shift 2
	timeout 10 "$@" >"$T_TMP/out" 2>&1 || rc=$?
	((rc == 78)) || fail "$what: exit $rc, expected 78: $(cat "$T_TMP/out")"
	grep -q "migrations_dir = '$nope' ($src)" "$T_TMP/out" ||
		fail "$what: message does not name key, value, source: $(cat "$T_TMP/out")"
	grep -q 'No such file or directory' "$T_TMP/out" ||
		fail "$what: message does not say why: $(cat "$T_TMP/out")"
	[[ ! -S $T_TMP/m.sock ]] || fail "$what: the socket was created"
}
expect_78 "-m" "flag -m" \
	"$MIGRATED" -d "$db" -m "$nope" -s "$T_TMP/m.sock"
expect_78 "MIGRATIONS_DIR" "environment MIGRATIONS_DIR" \
	env MIGRATIONS_DIR="$nope" "$MIGRATED" -d "$db" -s "$T_TMP/m.sock"
printf '# test\nmigrations_dir = %s\n' "$nope" >"$T_TMP/m.conf"
expect_78 "config file" "$T_TMP/m.conf:2" \
	"$MIGRATED" -c "$T_TMP/m.conf" -d "$db" -s "$T_TMP/m.sock"
expect_78 "--once" "flag -m" \
	"$MIGRATED" --once -d "$db" -m "$nope"
ok "a missing migrations_dir exits 78 naming the key, value and source"

# A file where a directory is expected is the same kind of error.
touch "$T_TMP/plain"
rc=0
timeout 10 "$MIGRATED" -d "$db" -m "$T_TMP/plain" -s "$T_TMP/m.sock" \
	>"$T_TMP/out" 2>&1 || rc=$?
((rc == 78)) && grep -q "migrations_dir = '$T_TMP/plain' (flag -m): Not a directory" \
	"$T_TMP/out" || fail "a plain file: exit $rc: $(cat "$T_TMP/out")"
ok "a plain file as migrations_dir exits 78"

# The built-in default, when nothing sets it (and it is absent here).
def=/usr/share/migrated/versions	# config-table.c, SPEC §4
if [[ -e $def ]]; then
	echo "# $def exists on this machine: default case not checked"
else
	: >"$T_TMP/empty.conf"
	rc=0
	env -u MIGRATIONS_DIR timeout 10 "$MIGRATED" -c "$T_TMP/empty.conf" \
		-d "$db" -s "$T_TMP/m.sock" >"$T_TMP/out" 2>&1 || rc=$?
	((rc == 78)) && grep -q "migrations_dir = '$def' (default)" "$T_TMP/out" ||
		fail "default migrations_dir: exit $rc: $(cat "$T_TMP/out")"
	grep -q 'examples/versions' "$T_TMP/out" ||
		fail "no hint at the example schema: $(cat "$T_TMP/out")"
	ok "an unconfigured daemon refuses to start (exit 78), hinting at the example"
fi

# An existing directory still starts (the sample, as scripts/quickstart).
t_start d "$db" "$TOP_SRCDIR/migrations/versions"
t_wait_for 20 ctl d check
t_stop d
ok "the sample directory starts and migrates"
