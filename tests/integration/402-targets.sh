#!/usr/bin/env bash
# No-op or nonsense targets are usage errors (issue 10 item 6): a target
# that upgrade or downgrade cannot move towards is exit 2 with a hint
# naming the other command, nothing changes and nothing is recorded; a
# target the database is already at stays an idempotent exit 0.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

rows() {
	t_sql "$1" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}
nhist() {
	t_sql "$1" "SELECT count(*) FROM migrated_history"
}

# refused ARGS... HINT: exit 2, "hint: HINT" on stderr, no change.
refused() {
	local hint=${*: -1} rc=0 before hb
	set -- "${@:1:$#-1}"
	before=$(rows "$db")
	hb=$(nhist "$db")
	ctl a "$@" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
	((rc == 2)) || fail "'$*' exited $rc, expected 2: $(cat "$T_TMP/err")"
	grep -qx "hint: $hint" "$T_TMP/err" || fail "'$*': no hint '$hint': $(cat "$T_TMP/err")"
	grep -q '(bad_request)' "$T_TMP/err" || fail "'$*': $(cat "$T_TMP/err")"
	[[ $(rows "$db") == "$before" && $(nhist "$db") == "$hb" ]] || fail "'$*' changed something"
}

db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir" --no-auto-migrate
t_expect 0 ctl a -q upgrade head
[[ $(rows "$db") == 212c31d97f11 ]] || fail "rows: $(rows "$db")"

# ---- at head ---------------------------------------------------------------------
refused upgrade -1 "use downgrade -1"
grep -q "upgrade -1 goes the wrong way" "$T_TMP/err" || fail "message: $(cat "$T_TMP/err")"
refused upgrade -1 --sql "use downgrade -1"
refused upgrade base "use downgrade base"
refused upgrade 2e01 "use downgrade 2e01"
grep -q "cannot upgrade to 2e0140e533a8: it is applied and the database is past it (at 212c31d97f11)" "$T_TMP/err" ||
	fail "message: $(cat "$T_TMP/err")"
rc=0
ctl a upgrade +0 >/dev/null 2>"$T_TMP/err" || rc=$?
((rc == 2)) && grep -q "moves nowhere" "$T_TMP/err" || fail "upgrade +0: $rc $(cat "$T_TMP/err")"
refused downgrade head "use upgrade head"
refused downgrade heads "use upgrade heads"
out=$(t_json a upgrade -1) && fail "upgrade -1 --json succeeded"
[[ $(jq -r .error.code <<<"$out") == bad_request && $(jq -r .error.hint <<<"$out") == "use downgrade -1" ]] ||
	fail "--json error: $out"
# idempotent: already there is success
out=$(ctl a upgrade head) || fail "upgrade head at head"
grep -q "already at head" <<<"$out" || fail "upgrade head at head: $out"
t_expect 0 ctl a -q upgrade heads
t_expect 0 ctl a -q upgrade 212c
t_expect 0 ctl a -q downgrade 212c
ok "at head: upgrade -1, base, a past revision, downgrade head(s): exit 2 with a hint"

# ---- in the middle ---------------------------------------------------------------
t_expect 0 ctl a -q downgrade -1
[[ $(rows "$db") == d382069dacef ]] || fail "rows: $(rows "$db")"
refused downgrade +1 "use upgrade +1"
refused downgrade 212c "use upgrade 212c"
grep -q "cannot downgrade to 212c31d97f11: it is not applied (at d382069dacef)" "$T_TMP/err" ||
	fail "message: $(cat "$T_TMP/err")"
refused downgrade +1 --sql "use upgrade +1"
t_expect 0 ctl a -q upgrade +1
t_expect 0 ctl a -q downgrade base
t_expect 0 ctl a -q downgrade base
[[ $(rows "$db") == "" ]] || fail "rows at base: $(rows "$db")"
refused upgrade base "use downgrade base"
ok "in the middle and at base: downgrade +1 and a target not applied refused; downgrade base twice is fine"
t_stop a

# ---- migrated --once base ----------------------------------------------------------
rc=0
t_migrated --once -d "$db" -m "$dir" base >"$T_TMP/once.out" 2>"$T_TMP/once.err" || rc=$?
((rc == 2)) || fail "--once base exited $rc: $(cat "$T_TMP/once.err")"
grep -q "base is not an upgrade target" "$T_TMP/once.err" || fail "--once base: $(cat "$T_TMP/once.err")"
grep -qx "hint: use downgrade base" "$T_TMP/once.err" || fail "--once base hint: $(cat "$T_TMP/once.err")"
[[ $(rows "$db") == "" ]] || fail "--once base changed rows"
rc=0
t_migrated --once -d "$db" -m "$dir" >/dev/null 2>&1 || rc=$?
((rc == 0)) || fail "--once exited $rc"
rc=0
t_migrated --once -d "$db" -m "$dir" d382 >"$T_TMP/once.out" 2>"$T_TMP/once.err" || rc=$?
((rc == 2)) && grep -qx "hint: use downgrade d382" "$T_TMP/once.err" || fail "--once to a past revision: $rc $(cat "$T_TMP/once.err")"
ok "migrated --once base and --once to a past revision: exit 2 with a hint"
