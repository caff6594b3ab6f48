#!/usr/bin/env bash
# Every boolean argument of the protocol is a JSON true or false: anything
# else is bad_request, never read as false (a client that sends "schema":
# "yes" to verify must not get the answer of a verify without --schema).
source "$TOP_SRCDIR/tests/lib/daemon.sh"

db=$(t_newdb)
dir=$(t_migdir sample)
t_start a "$db" "$dir"
t_wait_for 10 t_state_is a current
sock=$(t_sock a)

# each op with its other arguments valid (an unknown one is refused too)
n=0
for req in 'status fresh' 'upgrade sql "target":"head",' \
    'upgrade atomic "target":"head",' 'downgrade sql "target":"base",' \
    'verify schema'; do
	read -r op arg more <<<"$req"
	for v in true '"yes"' 1 '[]'; do
		n=$((n + 1))
		out=$(t_raw "$sock" "{\"id\":$n,\"op\":\"$op\",\"args\":{$more\"$arg\":$v}}")
		code=$(jq -r .error.code <<<"$out")
		if [[ $v == true ]]; then
			[[ $code != bad_request ]] || fail "$op with $arg: true refused: $out"
		else
			[[ $code == bad_request ]] || fail "$op with $arg: $v was not refused: $out"
		fi
	done
done
[[ $(t_field a .result.current[0]) == 212c31d97f11 ]] || fail "a request changed the database"
ok "status, upgrade, downgrade, verify: a boolean that is not true or false is bad_request"
t_stop a
