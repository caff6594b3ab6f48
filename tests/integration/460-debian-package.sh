#!/usr/bin/env bash
# The Debian package: debian/ builds with dpkg-buildpackage -us -uc -b from
# a copy of the tree; the .deb holds the binaries, the units, sysusers.d and
# tmpfiles.d files, man pages, completion, the example schema (not in the
# default migrations directory) and two conffiles; its units pass
# systemd-analyze verify; its binaries, started with its own settings file
# on its example schema, migrate a database; lintian reports nothing. A
# real dpkg -i (and purge) only where that is safe: in an overlay over / in
# a private mount namespace (root), or on the machine itself when CI=1.
# Skipped (exit 77) without dpkg-buildpackage or debhelper, and unless CI
# is set (.ci/run sets CI=1) or MIGRATED_TEST_DEB=1. A part that cannot
# run here (no lintian; no throwaway root for dpkg -i) does not pass: the
# other parts run, then the test is skipped naming what did not run (with
# CI=1, a missing lintian fails: CI installs it). The .deb is cached by
# the content of the tree, so the sanitizer run reuses it.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

command -v dpkg-buildpackage >/dev/null ||
	t_skip "dpkg-buildpackage is not installed (dpkg-dev)"
command -v dh >/dev/null || t_skip "debhelper is not installed"
# A build costs 20-40 s of CPU, paid again after every change of the tree:
# CI (.ci/run sets CI=1) builds it; on a shared development machine, ask.
[[ -n ${CI:-} || ${MIGRATED_TEST_DEB:-} == 1 ]] ||
	t_skip "the package is built in CI (CI=1) or with MIGRATED_TEST_DEB=1"
[[ -f $TOP_SRCDIR/debian/control ]] || fail "no debian/control"
not_run=()	# the parts that could not run here

# ---- build from a copy of the tree (never in it: dh configures in place) --
src=$T_TMP/src/migrated
mkdir -p "$src"
if git -C "$TOP_SRCDIR" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$TOP_SRCDIR" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ |
		tar -c --null -T - -f -) | tar -x -C "$src"
else
	(cd "$TOP_SRCDIR" && tar -c --exclude='./build*' --exclude=./.git -f - .) |
		tar -x -C "$src"
fi
key=$(cd "$src" && find . -type f -print0 | sort -z |
	tar -c --null -T - --mtime=@0 --owner=0 --group=0 --numeric-owner -f - |
	sha256sum | cut -c1-16)
cachedir=${TMPDIR:-/tmp}/migrated-deb-cache
cache=$cachedir/$key
mkdir -p "$cachedir"
exec 9>"$cachedir/.lock"
flock 9		# one build at a time; a concurrent run of this tree reuses it
# keep the ten newest packages (one tree per worktree)
find "$cachedir" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' |
	sort -rn | tail -n +11 | cut -d' ' -f2- | xargs -r rm -rf
if [[ -f $cache/ok ]]; then
	echo "# reusing the package built from the same tree in $cache"
else
	rm -rf "$cache"
	mkdir -p "$cache"
	start=$(date +%s%N)
	# the unit tests run in this suite already: nocheck
	(cd "$src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" \
		dpkg-buildpackage -us -uc -b) >"$T_TMP/build.log" 2>&1 ||
		fail "dpkg-buildpackage: $(tail -40 "$T_TMP/build.log")"
	secs=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.0f", (b - a) / 1e9 }')
	cp "$T_TMP"/src/migrated_*.deb "$cache/"
	echo "$secs" >"$cache/seconds"
	touch "$cache/ok"
fi
flock -u 9
deb=$(ls "$cache"/migrated_*_*.deb)
size=$(stat -c %s "$deb")
ok "dpkg-buildpackage -us -uc -b: $(basename "$deb"), $size bytes (built in $(cat "$cache/seconds")s)"

# ---- what the package holds ---------------------------------------------------
info=$(dpkg-deb -I "$deb")
grep -q '^ Package: migrated$' <<<"$info" || fail "control: $info"
for lib in libpq5 libevent libsystemd0 libjansson4; do
	grep -q "^ Depends: .*$lib" <<<"$info" || fail "Depends lacks $lib: $info"
done
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" |
	tar -xO ./conffiles)
[[ $(sort <<<"$conffiles") == $'/etc/default/migrated\n/etc/migrated/migrated.conf' ]] ||
	fail "conffiles: $conffiles"
list=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
for f in /usr/sbin/migrated /usr/bin/migratectl \
	/lib/systemd/system/migrated.service /lib/systemd/system/migrated.socket \
	/usr/lib/sysusers.d/migrated.conf /usr/lib/tmpfiles.d/migrated.conf \
	/usr/share/man/man8/migrated.8.gz /usr/share/man/man5/migrated.conf.5.gz \
	/usr/share/man/man1/migratectl.1.gz \
	/usr/share/bash-completion/completions/migratectl \
	/usr/share/doc/migrated/copyright /usr/share/doc/migrated/README.Debian \
	/usr/share/doc/migrated/examples/versions/2e0140e533a8_baseline_schema.sql \
	/etc/migrated/migrated.conf /etc/default/migrated; do
	grep -qxF "$f" <<<"$list" || fail "the package lacks $f"
done
grep -q '^/usr/share/migrated/' <<<"$list" &&
	fail "the package fills the default migrations directory"
ok "contents: binaries, units, sysusers/tmpfiles, man pages, completion, conffiles"

# ---- the files themselves --------------------------------------------------------
root=$T_TMP/root
dpkg-deb -x "$deb" "$root"
u=$T_TMP/units
mkdir -p "$u"
grep -q '^ExecStart=/usr/sbin/migrated$' "$root/lib/systemd/system/migrated.service" ||
	fail "ExecStart: $(grep ExecStart "$root/lib/systemd/system/migrated.service")"
sed "s|^ExecStart=.*|ExecStart=$root/usr/sbin/migrated|" \
	"$root/lib/systemd/system/migrated.service" >"$u/migrated.service"
cp "$root/lib/systemd/system/migrated.socket" "$u/"
out=$(cd "$u" && MANPATH=$root/usr/share/man systemd-analyze verify --man=yes \
	migrated.socket migrated.service 2>&1) || fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify warned: $out"
ok "systemd-analyze verify of the packaged units (and their man pages)"

"$root/usr/sbin/migrated" --version | grep -q '^migrated [0-9]' ||
	fail "packaged migrated --version"
"$root/usr/bin/migratectl" --version >/dev/null || fail "packaged migratectl"
# its settings file is all comments: the daemon takes the defaults, and the
# default migrations directory does not exist (exit 78 naming it)
grep -v '^#' "$root/etc/migrated/migrated.conf" | grep -q '[^[:space:]]' &&
	fail "migrated.conf sets something: $(grep -v '^#' "$root/etc/migrated/migrated.conf")"
db=$(t_newdb)
# t_args: the packaged file, after the harness's role settings
t_args -c "$root/etc/migrated/migrated.conf" -d "$db" -s "$T_TMP/p.sock"
rc=0
env -u MIGRATIONS_DIR timeout 10 "$root/usr/sbin/migrated" "${T_ARGS[@]}" \
	>"$T_TMP/p.out" 2>&1 || rc=$?
((rc == 78)) && grep -q "migrations_dir = '/usr/share/migrated/versions' (default)" \
	"$T_TMP/p.out" || fail "packaged daemon, no settings: exit $rc: $(cat "$T_TMP/p.out")"
# with its example schema it migrates (the packaged binaries end to end)
t_args -c "$root/etc/migrated/migrated.conf" --once --lock-wait 10s -d "$db" \
	-m "$root/usr/share/doc/migrated/examples/versions"
rc=0
timeout 60 "$root/usr/sbin/migrated" "${T_ARGS[@]}" >"$T_TMP/once.out" 2>&1 ||
	rc=$?
((rc == 0)) && grep -q '^at 212c31d97f11$' "$T_TMP/once.out" ||
	fail "packaged migrated --once: exit $rc: $(cat "$T_TMP/once.out")"
ok "the packaged daemon refuses to start unconfigured, migrates the example"

# ---- lintian ---------------------------------------------------------------------
if command -v lintian >/dev/null; then
	out=$(lintian --info --pedantic "$deb" 2>&1 |
		grep -v '^running with root privileges' || true)
	[[ -z $out ]] || fail "lintian: $out"
	ok "lintian --pedantic --info: no tags (overrides in debian/migrated.lintian-overrides)"
elif [[ ${CI:-} == 1 ]]; then
	fail "lintian is not installed (scripts/deps --ci installs it)"
else
	echo "# lintian is not installed: not run"
	not_run+=("lintian (not installed)")
fi

# ---- dpkg -i: in a throwaway root, or on a throwaway CI machine ----------------
# The checks run as root wherever the package is installed; $1 is the .deb.
cat >"$T_TMP/install-check.sh" <<'EOF2'
set -eu
# the installed system's PATH, not the test's
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
fail() { echo "FAIL: $*"; exit 1; }
dpkg -s migrated >/dev/null 2>&1 && fail "migrated is installed already"
DEBIAN_FRONTEND=noninteractive dpkg -i "$1" || fail "dpkg -i"
getent passwd migrated >/dev/null || fail "no user migrated"
[ "$(stat -c '%U %a' /run/migrated)" = "migrated 750" ] ||
	fail "/run/migrated: $(stat -c '%U %a' /run/migrated)"
[ "$(stat -c '%U %a' /var/lib/migrated)" = "migrated 750" ] ||
	fail "/var/lib/migrated: $(stat -c '%U %a' /var/lib/migrated)"
out=$(systemd-analyze verify --man=no /lib/systemd/system/migrated.socket \
	/lib/systemd/system/migrated.service 2>&1) || fail "verify: $out"
[ -z "$out" ] || fail "verify warned: $out"
migratectl --version >/dev/null || fail "migratectl is not on PATH"
! ls /etc/systemd/system/*.wants/migrated.* 2>/dev/null ||
	fail "a unit was enabled on installation"
if [ -d /run/systemd/system ]; then
	! systemctl is-active --quiet migrated.service ||
		fail "migrated.service was started on installation"
fi
dpkg --purge migrated || fail "dpkg --purge"
[ ! -e /usr/sbin/migrated ] && [ ! -e /etc/migrated/migrated.conf ] ||
	fail "purge left files"
echo "installed and purged"
EOF2
ov=$T_TMP/ov
mkdir -p "$ov/upper" "$ov/work" "$ov/root"
host_user=$(getent passwd migrated || true)
# An overlay over / in a private mount namespace: dpkg -i writes only to
# $ov/upper, the host sees nothing.
if [[ $(id -u) == 0 ]] && command -v unshare >/dev/null &&
	unshare --mount --propagation private sh -c "mount -t overlay overlay \
		-o lowerdir=/,upperdir=$ov/upper,workdir=$ov/work $ov/root" 2>/dev/null; then
	out=$(unshare --mount --propagation private sh -c '
		set -e
		r=$1
		mount -t overlay overlay -o lowerdir=/,upperdir=$2/upper,workdir=$2/work "$r"
		mount -t proc proc "$r/proc"
		mount --bind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/run"
		mount -t tmpfs tmpfs "$r/tmp"
		cp "$3" "$4" "$r/tmp/"
		# no man-db index rebuild on this throwaway root (slow)
		rm -f "$r/var/lib/man-db/auto-update"
		chroot "$r" sh /tmp/install-check.sh "/tmp/$(basename "$3")"
	' _ "$ov/root" "$ov" "$deb" "$T_TMP/install-check.sh" 2>&1) ||
		fail "in a throwaway root: $out"
	[[ $(getent passwd migrated || true) == "$host_user" ]] ||
		fail "the host's passwd changed: the overlay leaked"
	ok "dpkg -i in an overlay root: user, directories, units verify, nothing enabled or started; purge"
elif [[ ${CI:-} == 1 && $(id -u) == 0 ]]; then
	# one install at a time: .ci/run runs suites side by side
	out=$(flock "$cachedir/.install.lock" sh "$T_TMP/install-check.sh" "$deb" 2>&1) ||
		{ dpkg --purge migrated >/dev/null 2>&1 || true; fail "dpkg -i: $out"; }
	ok "dpkg -i on this CI machine: user, directories, units verify, nothing enabled or started; purge"
else
	echo "# no throwaway root here (needs root and overlayfs, or CI=1): no dpkg -i"
	not_run+=("dpkg -i (needs root and overlayfs, or CI=1 as root)")
fi

if ((${#not_run[@]} > 0)); then
	printf -v why '%s, ' "${not_run[@]}"
	t_skip "the other parts passed; not run: ${why%, }"
fi
