#!/usr/bin/env bash
# migratectl check --requires REV: exit 0 when the database is at or beyond
# REV (REV a version row or an ancestor of one, whatever else is applied),
# 3 when an upgrade would apply it, 4 when only a person can (REV dirty,
# REV drifted, the database diverged), 2 for an unknown REV or with a
# TARGET too; the JSON result names REV as target; the same answers on
# /readyz?requires=REV (see 470) and on a standby.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir)
# a -> b -> {c1, c2} (a branch point), d depends on nothing but a
t_rev "$dir" aaaa0001 none 'CREATE TABLE a (id int);' 'DROP TABLE a;' >/dev/null
t_rev "$dir" bbbb0002 aaaa0001 'CREATE TABLE b (id int);' 'DROP TABLE b;' >/dev/null
t_rev "$dir" cccc0003 bbbb0002 'CREATE TABLE c1 (id int);' 'DROP TABLE c1;' >/dev/null
t_rev "$dir" cccc0004 bbbb0002 'CREATE TABLE c2 (id int);' 'DROP TABLE c2;' >/dev/null

t_start r "$db" "$dir" --no-auto-migrate
req() { ctl r -q check --requires "$@"; }

t_expect 3 req aaaa0001
t_expect 3 req cccc0003
ok "base: every revision is pending (3)"

ctl r upgrade bbbb0002 >/dev/null
t_expect 0 req aaaa0001		# an ancestor of the row
t_expect 0 req bbbb		# the row itself, by prefix
t_expect 3 req cccc0003
t_expect 3 ctl r -q check	# heads: still behind
[[ $(t_json r check --requires aaaa | jq -r '.result.state, .result.target[0]') == \
	"current"$'\n'"aaaa0001" ]] || fail "JSON: $(t_json r check --requires aaaa)"
[[ $(t_json r check --requires cccc0003 | jq -c '[.result.state, [.result.pending[].revision]]') == \
	'["behind",["cccc0003"]]' ]] || fail "JSON pending: $(t_json r check --requires cccc0003)"
ok "at b: a and b are at or beyond (0), c1 is pending (3)"

ctl r upgrade cccc0003 >/dev/null
t_expect 0 req bbbb0002		# beyond it, on one branch
t_expect 0 req cccc0003
t_expect 3 req cccc0004		# the other branch
ok "at c1: b and c1 pass, the other branch c2 is pending"

# unknown revision, or both forms at once: usage
t_expect 2 req ffff9999
t_expect 2 ctl r -q check heads --requires aaaa0001
out=$(ctl r check --requires ffff9999 2>&1) || true
grep -q ffff9999 <<<"$out" || fail "unknown REV not named: $out"
ok "an unknown REV or a TARGET with --requires: exit 2"

# drift of a required revision needs a person; of another one it does not
t_start s "$db" "$dir" --no-auto-migrate
t_expect 0 ctl s -q check --requires bbbb0002
ok "a standby answers too"
t_stop s
sed -i 's/CREATE TABLE b (id int);/CREATE TABLE b (id bigint);/' "$dir/bbbb0002_rev.sql"
ctl r reload >/dev/null
t_expect 4 req cccc0003		# its ancestor b drifted
t_expect 4 req bbbb0002
t_expect 0 req aaaa0001		# below the drift
ok "drift of REV or an ancestor: 4; below it: 0"
sed -i 's/CREATE TABLE b (id bigint);/CREATE TABLE b (id int);/' "$dir/bbbb0002_rev.sql"
ctl r reload >/dev/null

# a dirty non-transactional step: its revision and what needs it are 4
t_rev "$dir" dddd0005 cccc0003 'CREATE TABLE d (id int); SELECT 1/0;' \
	'DROP TABLE IF EXISTS d;' 'transactional: false' >/dev/null
ctl r reload >/dev/null
t_expect 1 ctl r upgrade dddd0005 >/dev/null 2>&1
t_expect 4 req dddd0005
t_expect 0 req cccc0003		# applied, below the dirty step
t_expect 4 req cccc0004		# not applied; upgrades refused while dirty
ok "dirty at d: d and c2 need a person (4), c1 is applied (0)"

t_stop r
