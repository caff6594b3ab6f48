#!/usr/bin/env bash
# Who may do what (SPEC §4, §6): with the socket at 0666 an unprivileged
# user reads (status, history, log, upgrade --sql) but every change exits 77
# (unauthorized) and changes nothing; members of admin_group -- by a
# supplementary or the primary group, from SO_PEERGROUPS / SO_PEERCRED --
# may change; a socket at 0600 refuses the user outright (EACCES: 77).
# migrated_history.requested_by names the requesting user.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

[[ $(id -u) == 0 ]] || t_skip "needs root to switch users"
id -u nobody >/dev/null 2>&1 || fail "no user nobody"
nogroup=$(id -gn nobody)
admgrp=users
getent group "$admgrp" >/dev/null || fail "no group $admgrp"
id -nG nobody | grep -qw "$admgrp" && fail "nobody is already in $admgrp"

# a copy of the client that any user can run, from a directory any user can
# enter (the build tree may be under /root)
cp "$MIGRATECTL" "$T_TMP/migratectl"
chmod 755 "$T_TMP/migratectl"

# as HOW -- NAME ARGS...: migratectl on NAME's socket as nobody; HOW: none,
# primary (primary group $admgrp) or supp (supplementary group $admgrp)
as() {
	local how=$1 name=$3
	shift 3
	local -a p=(setpriv --reuid=nobody)
	case $how in
	none) p+=(--regid="$nogroup" --clear-groups) ;;
	primary) p+=(--regid="$admgrp" --clear-groups) ;;
	supp) p+=(--regid="$nogroup" --groups="$admgrp") ;;
	esac
	(cd "$T_TMP" && "${p[@]}" "$T_TMP/migratectl" -s "$(t_sock "$name")" "$@")
}

rows() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
nhist() {
	t_sql "$db" "SELECT count(*) FROM migrated_history"
}

db=$(t_newdb)
dir=$(t_migdir sample)
t_rev "$dir" ac0000000001 212c31d97f11 'CREATE TABLE access_one (id int);' 'DROP TABLE access_one;' >/dev/null

# ---- socket 0666, no admin_group: nobody reads, changes nothing ---------------------
printf 'socket_mode = 0666\n' >"$T_TMP/open.conf"
t_start a "$db" "$dir" -c "$T_TMP/open.conf" --no-auto-migrate
[[ $(stat -c %a "$(t_sock a)") == 666 ]] || fail "socket mode $(stat -c %a "$(t_sock a)")"
t_wait_for 10 t_state_is a behind
ctl a upgrade 212c31d97f11 >/dev/null || fail "root's upgrade"
[[ $(t_sql "$db" "SELECT string_agg(DISTINCT requested_by, ',') FROM migrated_history") == root ]] ||
	fail "requested_by for root: $(t_sql "$db" "SELECT string_agg(DISTINCT requested_by, ',') FROM migrated_history")"
rows0=$(rows) n0=$(nhist)
[[ $rows0 == 212c31d97f11 ]] || fail "setup rows: $rows0"

as none -- a status >/dev/null || fail "nobody's status exited $?"
[[ $(as none -- a current) == 212c31d97f11 ]] || fail "nobody's current: $(as none -- a current)"
as none -- a history >/dev/null || fail "nobody's history"
as none -- a log -n 1 >/dev/null || fail "nobody's log"
as none -- a verify >/dev/null || fail "nobody's verify"
as none -- a upgrade --sql | grep -q 'CREATE TABLE access_one' || fail "nobody's upgrade --sql (a read)"
[[ $(as none -- a --json status | jq -r .result.state) == behind ]] || fail "nobody's status --json"
ok "nobody reads: status, current, history, log, verify, upgrade --sql"

for cmd in "upgrade" "upgrade head" "downgrade -1" "downgrade base" "stamp base" "stamp head" \
	"cancel" "reload" "resolve ac0000000001 --applied"; do
	rc=0
	# shellcheck disable=SC2086
	as none -- a $cmd >/dev/null 2>"$T_TMP/err" || rc=$?
	((rc == 77)) || fail "nobody's $cmd exited $rc, expected 77: $(cat "$T_TMP/err")"
	grep -qi 'nobody' "$T_TMP/err" || fail "nobody's $cmd: the error does not name the user: $(cat "$T_TMP/err")"
done
j=$(as none -- a --json upgrade 2>/dev/null) && fail "nobody's upgrade --json succeeded"
[[ $(jq -r .error.code <<<"$j") == unauthorized ]] || fail "nobody's upgrade --json: $j"
[[ $(rows) == "$rows0" && $(nhist) == "$n0" ]] || fail "refused changes changed something: $(rows), $(nhist) history rows"
[[ $(t_sql "$db" "SELECT to_regclass('access_one') IS NULL") == t ]] || fail "a refused upgrade ran"
# a group the user is not in changes nothing either
as supp -- a upgrade >/dev/null 2>&1 && fail "admin by $admgrp without admin_group"
t_stop a
ok "nobody's upgrade/downgrade/stamp/cancel/reload/resolve: 77, nothing changed"

# ---- admin_group = users: members may change ------------------------------------------
printf 'socket_mode = 0666\nadmin_group = %s\n' "$admgrp" >"$T_TMP/admin.conf"
t_start b "$db" "$dir" -c "$T_TMP/admin.conf" --no-auto-migrate
t_wait_for 10 t_state_is b behind
t_expect 77 as none -- b upgrade
[[ $(rows) == "$rows0" ]] || fail "a non-member upgraded"
as supp -- b upgrade >/dev/null || fail "nobody in $admgrp (supplementary) could not upgrade"
[[ $(rows) == ac0000000001 ]] || fail "rows after nobody's upgrade: $(rows)"
[[ $(t_sql "$db" "SELECT revision || ':' || operation || ':' || requested_by FROM migrated_history ORDER BY id DESC LIMIT 1") == ac0000000001:upgrade:nobody ]] ||
	fail "requested_by for nobody: $(t_sql "$db" "SELECT revision, operation, requested_by FROM migrated_history ORDER BY id DESC LIMIT 1")"
as primary -- b downgrade -1 >/dev/null || fail "nobody with primary group $admgrp could not downgrade"
[[ $(rows) == 212c31d97f11 ]] || fail "rows after nobody's downgrade: $(rows)"
[[ $(t_sql "$db" "SELECT revision || ':' || operation || ':' || requested_by FROM migrated_history ORDER BY id DESC LIMIT 1") == ac0000000001:downgrade:nobody ]] ||
	fail "requested_by for nobody's downgrade"
as supp -- b stamp ac0000000001 >/dev/null || fail "nobody in $admgrp could not stamp"
[[ $(t_sql "$db" "SELECT requested_by FROM migrated_history ORDER BY id DESC LIMIT 1") == nobody ]] ||
	fail "requested_by for nobody's stamp"
as supp -- b reload >/dev/null || fail "nobody in $admgrp could not reload"
as supp -- b cancel >/dev/null || fail "nobody in $admgrp could not cancel"
t_expect 77 as none -- b stamp base
[[ $(rows) == ac0000000001 ]] || fail "a non-member stamped"
[[ $(as supp -- b --json status | jq -r .result.state) == current ]] || fail "state"
t_stop b
ok "admin_group members (supplementary or primary) may change; requested_by nobody"

# ---- socket 0600: nobody cannot even connect ------------------------------------------
printf 'socket_mode = 0600\n' >"$T_TMP/closed.conf"
t_start c "$db" "$dir" -c "$T_TMP/closed.conf" --no-auto-migrate
[[ $(stat -c %a "$(t_sock c)") == 600 ]] || fail "socket mode $(stat -c %a "$(t_sock c)")"
rc=0
as none -- c status >/dev/null 2>"$T_TMP/err" || rc=$?
((rc == 77)) || fail "nobody's status on a 0600 socket exited $rc, expected 77: $(cat "$T_TMP/err")"
grep -qi 'permission denied' "$T_TMP/err" || fail "not EACCES: $(cat "$T_TMP/err")"
t_expect 77 as supp -- c status
ctl c -q status || fail "root's status on the 0600 socket"
t_stop c
ok "socket 0600: nobody gets 77 (EACCES), root gets in"
