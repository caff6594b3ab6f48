#!/usr/bin/env bash
# The shipped systemd files: systemd-analyze verify passes on the units (with
# ExecStart= pointed at the built daemon, Documentation= at our man pages);
# the service has the settings SPEC §4 asks for and a low exposure score;
# the sysusers.d and tmpfiles.d files create the user and the directories.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"
src=$TOP_SRCDIR/systemd
u=$T_TMP/units
mkdir -p "$u"

# The unit make generates, else the template substituted the same way.
if [[ -f $TOP_BUILDDIR/systemd/migrated.service ]]; then
	cp "$TOP_BUILDDIR/systemd/migrated.service" "$u/generated.service"
else
	sed -e 's|@sbindir@|/usr/sbin|g' -e 's|@sysconfdir@|/etc|g' \
		"$src/migrated.service.in" >"$u/generated.service"
fi
grep -q '@[a-z]*@' "$u/generated.service" &&
	fail "unsubstituted: $(grep '@[a-z]*@' "$u/generated.service")"
grep -q '^ExecStart=/[^ ]*/migrated$' "$u/generated.service" ||
	fail "ExecStart: $(grep ExecStart= "$u/generated.service")"
ok "migrated.service is generated with an absolute ExecStart"

# The copy verified runs the built binary (verify checks that it exists).
sed -e "s|^ExecStart=.*|ExecStart=$MIGRATED|" "$u/generated.service" \
	>"$u/migrated.service"
cp "$src/migrated.socket" "$u/"
man_opt=(--man=no)
if command -v man >/dev/null; then
	# Documentation=man:... must name pages we ship.
	mkdir -p "$T_TMP/man/man1" "$T_TMP/man/man5" "$T_TMP/man/man8"
	cp "$TOP_SRCDIR/man/migratectl.1" "$T_TMP/man/man1/"
	cp "$TOP_SRCDIR/man/migrated.conf.5" "$T_TMP/man/man5/"
	cp "$TOP_SRCDIR/man/migrated.8" "$T_TMP/man/man8/"
	man_opt=(--man=yes)
fi
out=$(cd "$u" && MANPATH=$T_TMP/man systemd-analyze verify "${man_opt[@]}" \
	migrated.socket migrated.service 2>&1) ||
	fail "systemd-analyze verify: $out"
[[ -z $out ]] || fail "systemd-analyze verify warned: $out"
ok "systemd-analyze verify ${man_opt[*]}: no warnings"

# The settings SPEC §4 asks for (the last assignment of each key).
show() {
	grep -E "^$1=" "$u/migrated.service" | tail -1 | cut -d= -f2-
}
want() {
	local v
	v=$(show "$1")
	[[ $v == "$2" ]] || fail "$1=$v, expected $2"
}
want Type notify
want NotifyAccess main
want Restart on-failure
want RestartPreventExitStatus "65 78"
want WatchdogSec 30s
want TimeoutStartSec 5min
want TimeoutStopSec 45s
want KillSignal SIGTERM
want User migrated
want Group migrated
want EnvironmentFile -/etc/default/migrated
# shellcheck disable=SC2016 # systemd expands $MAINPID, not the shell
want ExecReload '/bin/kill -HUP $MAINPID'
want ReadWritePaths /run/migrated
want ProtectSystem strict
want CapabilityBoundingSet ""
want SystemCallFilter @system-service
grep -q '^RuntimeDirectory' "$u/migrated.service" &&
	fail "RuntimeDirectory= would delete the activation socket"
grep -q '^Requires=migrated.socket' "$u/migrated.service" ||
	fail "no Requires=migrated.socket"
grep -q '^Also=migrated.socket' "$u/migrated.service" || fail "no Also="
grep -q '^ListenStream=/run/migrated/migrated.sock$' "$u/migrated.socket" ||
	fail "ListenStream"
grep -q '^SocketMode=0660$' "$u/migrated.socket" || fail "SocketMode"
grep -q '^SocketGroup=migrated$' "$u/migrated.socket" || fail "SocketGroup"
grep -q '^RemoveOnStop=no$' "$u/migrated.socket" || fail "RemoveOnStop"
ok "unit settings"

# The hardening, as systemd rates it (0 best .. 10 worst; 2.5 is "OK").
if sec=$(cd "$u" && systemd-analyze security --offline=true --no-pager \
	--threshold=25 migrated.service 2>&1); then
	ok "$(grep -o 'Overall exposure level.*' <<<"$sec")"
else
	grep -q 'Overall exposure' <<<"$sec" ||
		fail "systemd-analyze security --offline: $sec"
	fail "exposure above 2.5: $(grep -o 'Overall exposure level.*' <<<"$sec")"
fi

# The application drop-in is a valid unit fragment.
mkdir -p "$u/app.service.d"
cp "$src/app-after-migrated.conf" "$u/app.service.d/migrated.conf"
printf '[Service]\nExecStart=%s\n' "$MIGRATECTL" >"$u/app.service"
out=$(cd "$u" && systemd-analyze verify --man=no app.service 2>&1) ||
	fail "drop-in: $out"
ok "app-after-migrated.conf"

# sysusers.d creates migrated:migrated; tmpfiles.d then makes the
# directories with that owner (in a scratch root, not on this machine).
root=$T_TMP/root
mkdir -p "$root/etc" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d"
cp "$src/migrated.sysusers" "$root/usr/lib/sysusers.d/migrated.conf"
cp "$src/migrated.tmpfiles" "$root/usr/lib/tmpfiles.d/migrated.conf"
systemd-sysusers --root="$root" >/dev/null 2>&1 ||
	fail "systemd-sysusers: $(systemd-sysusers --root="$root" 2>&1)"
grep -q '^migrated:x:[0-9]*:[0-9]*:migrated schema migrations:/var/lib/migrated:' \
	"$root/etc/passwd" || fail "passwd: $(cat "$root/etc/passwd")"
grep -q '^migrated:x:' "$root/etc/group" || fail "group: $(cat "$root/etc/group")"
uid=$(grep '^migrated:' "$root/etc/passwd" | cut -d: -f3)
out=$(systemd-tmpfiles --root="$root" --create 2>&1) || fail "tmpfiles: $out"
for d in run/migrated var/lib/migrated; do
	[[ $(stat -c '%a %u' "$root/$d") == "750 $uid" ]] ||
		fail "/$d: $(stat -c '%a %u:%g' "$root/$d")"
done
grep -q '8635' "$src/migrated.tmpfiles" ||
	fail "migrated.tmpfiles does not say why not RuntimeDirectory="
ok "sysusers.d and tmpfiles.d"

# The man pages: clean under mandoc's linter, and migrated(8) documents
# every option that migrated --help lists.
if command -v mandoc >/dev/null; then
	out=$(mandoc -Tlint -W warning "$TOP_SRCDIR"/man/*.[158] 2>&1) ||
		fail "mandoc -Tlint: $out"
fi
for o in $("$MIGRATED" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	grep -q "^\.It .*Fl Fl ${o#--}\b" "$TOP_SRCDIR/man/migrated.8" ||
		fail "migrated.8 does not document $o"
done
for o in $("$MIGRATED" --help | grep -o -- ' -[a-zA-Z],' | tr -d ' ,' |
	sort -u); do
	grep -q "^\.It Fl ${o#-} ," "$TOP_SRCDIR/man/migrated.8" ||
		fail "migrated.8 does not document $o"
done
ok "man pages lint clean; migrated(8) has every option of --help"
