#!/usr/bin/env bash
# contrib/bash-completion/migratectl: commands and options as in the verb
# table; revision ids from the daemon's history when it answers, else from
# the migrations directory (--dir, MIGRATIONS_DIR), even a broken one.
source "$TOP_SRCDIR/tests/lib/daemon.sh"

BC=/usr/share/bash-completion/bash_completion
COMP=$TOP_SRCDIR/contrib/bash-completion/migratectl

# comp WORD...: what completing the last WORD offers, one per line, sorted.
# Runs in a fresh bash with bash-completion loaded (or, without the package,
# the two helpers the script uses), like an interactive shell would.
comp() {
	bash --norc --noprofile -c '
		bc=$1 comp=$2
		shift 2
		if [[ -r $bc ]]; then
			source "$bc"
		else
			_init_completion() {
				words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
				cur=${COMP_WORDS[COMP_CWORD]}
				prev=${COMP_WORDS[COMP_CWORD - 1]}
			}
			_filedir() { COMPREPLY=($(compgen -f -- "$cur")); }
		fi
		compopt() { :; }	# the builtin needs a real completion
		source "$comp"
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		_migratectl "$1" "${COMP_WORDS[COMP_CWORD]}" \
			"${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' comp "$BC" "$COMP" "$MIGRATECTL" "$@" | sort
}

# offers WORD... : WANT...: comp WORD... offers each WANT.
offers() {
	local -a words=() want=()
	while [[ $1 != : ]]; do words+=("$1"); shift; done
	shift
	want=("$@")
	local got w
	got=$(comp "${words[@]}")
	for w in "${want[@]}"; do
		grep -qxF -- "$w" <<<"$got" ||
			fail "'migratectl ${words[*]}' does not offer $w: ${got//$'\n'/ }"
	done
}

# lacks WORD... : NOT...: comp WORD... offers none of NOT.
lacks() {
	local -a words=()
	while [[ $1 != : ]]; do words+=("$1"); shift; done
	shift
	local got w
	got=$(comp "${words[@]}")
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$got" &&
			fail "'migratectl ${words[*]}' offers $w: ${got//$'\n'/ }"
	done
	return 0
}

bash -n "$COMP" || fail "syntax"
[[ -r $BC ]] || echo "# bash-completion not installed: using stand-ins"
cd "$T_TMP" || exit
unset MIGRATIONS_DIR MIGRATED_SOCKET

# Every command of the verb table (migratectl --help lists them).
verbs=$("$MIGRATECTL" --help | sed -n 's/^  \([a-z]\+\)\( .*\)\?$/\1/p' |
	sort -u)
[[ $(wc -l <<<"$verbs") -ge 18 ]] || fail "verbs from --help: $verbs"
# shellcheck disable=SC2086
offers "" : $verbs
offers up : upgrade
offers -- : --socket --config --json --quiet --timeout --help --version
ok "commands: ${verbs//$'\n'/ }"

offers status -- : --check --fresh --json
offers history -- : --verbose --dir
offers log - : -n --limit -v --verbose
offers upgrade -- : --sql --atomic
lacks upgrade -- : --applied --fresh
offers downgrade -- : --sql
offers wait -- : --timeout
offers resolve abc -- : --applied --rolled-back
offers lint -- : --dir
offers revision -- : --message --dir --head --no-transaction \
	--depends-on --branch-label
offers merge -- : --message --dir
ok "options of each command"
offers help "" : status upgrade revision help
offers help up : upgrade
lacks help status "" : status upgrade
ok "help COMMAND completes command names"

# From the daemon: its directory has a revision no local directory has.
db=$(t_newdb)
ddir=$(t_migdir sample)
t_rev "$ddir" daemon01 212c31d97f11 "SELECT 1;" "SELECT 1;" \
	"branch_labels: feature" >/dev/null
t_start a "$db" "$ddir" --no-auto-migrate
s=$(t_sock a)
offers -s "$s" upgrade "" : head heads daemon01 212c31d97f11 \
	d382069dacef 2e0140e533a8 feature@head
offers --socket "$s" downgrade "" : base -1 daemon01 2e0140e533a8
offers -s "$s" stamp d38 : d382069dacef
lacks -s "$s" stamp d38 : 212c31d97f11
offers -s "$s" resolve "" : daemon01
lacks -s "$s" upgrade head "" : daemon01
ok "revisions from migratectl --json history"

# No daemon: the directory of MIGRATIONS_DIR, else of --dir.
ldir=$(t_migdir sample)
t_rev "$ldir" local001 212c31d97f11 "SELECT 1;" "SELECT 1;" >/dev/null
export MIGRATIONS_DIR=$ldir
offers -s "$T_TMP/none.sock" upgrade "" : local001 212c31d97f11 head
lacks -s "$T_TMP/none.sock" upgrade "" : daemon01
offers revision --head "" : base local001 212c31d97f11
offers revision --depends-on 212c31d97f11,d38 : 212c31d97f11,d382069dacef
offers merge -m msg "" : heads local001 212c31d97f11
unset MIGRATIONS_DIR
mkdir -p migrations/versions
cp "$TOP_SRCDIR"/migrations/versions/*.sql migrations/versions/
offers -s "$T_TMP/none.sock" check "" : 212c31d97f11 heads
offers revision --dir "$ldir" --head "" : local001
ok "revisions from the directory when no daemon answers"

# A directory that does not load still completes from its file headers.
bdir=$(t_migdir sample)
t_rev "$bdir" broken01 nosuchparent "SELECT 1;" >/dev/null
t_expect 1 "$MIGRATECTL" -q lint --dir "$bdir" 2>/dev/null
MIGRATIONS_DIR=$bdir offers -s "$T_TMP/none.sock" upgrade "" : broken01 \
	212c31d97f11
ok "revisions from the headers of a broken directory"
t_stop a
