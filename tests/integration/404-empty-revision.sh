#!/usr/bin/env bash
# A new, still-empty revision is not auto-applied (issue 10 item 4):
# `revision -m` writes an empty upgrade section; auto-migrate stops before
# it and before what needs it; status shows it as empty and says to write
# it; lint warns; once written it is applied, and that is not drift. An
# empty merge is applied; an explicit upgrade applies an empty revision.
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export NO_COLOR=1

rows() {
	t_sql "$db" "SELECT coalesce(string_agg(version_num, ',' ORDER BY version_num), '') FROM alembic_version"
}

db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current

# ---- revision -m: an empty upgrade section, not applied ----------------------
f1=$(ctl a revision -m "add invoices" --dir "$dir")
e1=$(basename "$f1" | cut -d_ -f1)
grep -qx -- '-- +upgrade' "$f1" || fail "no upgrade section in $f1"
[[ $(sed -n '/^-- +upgrade$/,/^-- +downgrade$/p' "$f1" | grep -cv '^\(--.*\)\?$') == 0 ]] ||
	fail "the new upgrade section is not empty: $(cat "$f1")"
f2=$(ctl a revision -m "invoice lines" --dir "$dir")
e2=$(basename "$f2" | cut -d_ -f1)
grep -q "down_revision: $e1" "$f2" || fail "$f2 does not follow $e1"
sed -i 's/^-- +upgrade$/-- +upgrade\nCREATE TABLE invoice_lines (id int);/' "$f2"
out=$(ctl a reload) || fail "reload: $out"
sleep 1
t_wait_for 5 eval '[[ $(t_json a status | jq -r .result.running) == null ]]'
[[ $(rows) == 212c31d97f11 ]] || fail "auto-migrate applied an empty revision: $(rows)"
grep -q "auto-migrate stops before $e1: its upgrade section is empty" "$T_TMP/a.log" ||
	fail "no log line about $e1"
st=$(t_json a status)
[[ $(jq -r .result.state <<<"$st") == behind ]] || fail "state: $st"
[[ $(jq -c '[.result.pending[] | [.revision, (.empty // false)]]' <<<"$st") == "[[\"$e1\",true],[\"$e2\",false]]" ]] ||
	fail "pending: $st"
[[ $(jq -r '.result.pending[0].file' <<<"$st") == "$f1" ]] || fail "pending file: $st"
out=$(ctl a status)
grep -q "^           $e1  add invoices  (empty)$\|^pending    $e1  add invoices  (empty)$" <<<"$out" || fail "status text: $out"
grep -qF "$e1 has an empty upgrade section: write it in $f1 (auto-migrate stops before it)" <<<"$out" ||
	fail "status next: $out"
ok "revision -m: empty, not auto-applied, nor what follows; status says so"

# ---- lint warns --------------------------------------------------------------------
rc=0
ctl a lint --dir "$dir" >"$T_TMP/out" 2>"$T_TMP/err" || rc=$?
((rc == 0)) || fail "lint exited $rc"
grep -q "^$f1:[0-9]*: warning: revision $e1 has an empty upgrade section" "$T_TMP/err" ||
	fail "lint: $(cat "$T_TMP/err")"
grep -q "$e2" "$T_TMP/err" && fail "lint warns about the written revision"
[[ $(ctl a --json lint --dir "$dir" | jq '.warnings | length') == 1 ]] || fail "lint --json warnings"
ok "lint warns about the empty revision (exit 0)"

# ---- written: applied, no drift ---------------------------------------------------------
sed -i 's/^-- +upgrade$/-- +upgrade\nCREATE TABLE invoices (id int);/' "$f1"
ctl a -q reload || fail "reload after writing"
t_wait_for 10 t_state_is a current
[[ $(rows) == "$e2" ]] || fail "rows: $(rows)"
[[ $(t_json a status | jq '.result.drift | length') == 0 ]] || fail "drift after writing the revision"
t_expect 0 ctl a -q verify
ok "written, then applied with what follows: no drift"

# ---- an empty merge is applied ------------------------------------------------------------
t_rev "$dir" bra000000001 "$e2" 'CREATE TABLE bra (id int);' 'DROP TABLE bra;' >/dev/null
t_rev "$dir" brb000000001 "$e2" 'CREATE TABLE brb (id int);' 'DROP TABLE brb;' >/dev/null
m=$(ctl a merge -m "merge branches" heads --dir "$dir")
mid=$(basename "$m" | cut -d_ -f1)
ctl a -q reload || fail "reload with a merge"
t_wait_for 10 t_state_is a current
[[ $(rows) == "$mid" ]] || fail "the empty merge was not applied: $(rows)"
ok "an empty merge revision is auto-applied"

# ---- an explicit upgrade applies an empty revision --------------------------------------------
t_stop a
f3=$(ctl a revision -m "placeholder" --dir "$dir")
e3=$(basename "$f3" | cut -d_ -f1)
t_start a "$db" "$dir" --no-auto-migrate
t_expect 0 ctl a -q upgrade
[[ $(rows) == "$e3" ]] || fail "an explicit upgrade did not apply the empty revision: $(rows)"
ok "migratectl upgrade applies an empty revision (asked for)"
t_stop a
