#!/usr/bin/env bash
# Race: five daemons started at the same moment, auto-migrate on, one
# database, 30 revisions that each sleep 20 ms. While they run, the status
# of all five is sampled over and over: never more than one leader. At the
# end every revision has exactly one `ok` upgrade row in migrated_history
# (and its INSERT ran once), nothing failed, the version row is the head,
# and all five `status --fresh` agree. FAULT_ROUNDS rounds (default 3),
# each on a fresh database.
source "$TOP_SRCDIR/tests/faults/lib.sh"

rounds=${FAULT_ROUNDS:-3}
nrev=30
names=(d1 d2 d3 d4 d5)

dir=$(t_migdir)
prev=none
for ((i = 1; i <= nrev; i++)); do
	id=$(printf 'race%04d' "$i")
	t_rev "$dir" "$id" "$prev" "CREATE TABLE race_$i (id int);
SELECT pg_sleep(0.02);
INSERT INTO race_$i VALUES ($i);" "DROP TABLE race_$i;" >/dev/null
	prev=$id
done
head=$prev

# sample HEAD SOCK...: status of every daemon whose socket answers, sweep
# after sweep, until all of them report the head as current (60 s at
# most). Prints one JSON summary.
sample() {
	"$F_PY" - "$@" <<'EOF'
import json, socket, sys, time
head, paths = sys.argv[1], sys.argv[2:]
socks = [None] * len(paths)
def connect(i):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(paths[i])
    except OSError:
        s.close()
        return
    socks[i] = [s, b""]
def status(i, n):
    s = socks[i]
    s[0].sendall(b'{"id": %d, "op": "status"}\n' % n)
    while b"\n" not in s[1]:
        chunk = s[0].recv(65536)
        if not chunk:
            raise SystemExit("daemon %d closed the connection" % i)
        s[1] += chunk
    line, s[1] = s[1].split(b"\n", 1)
    r = json.loads(line)
    if not r.get("ok") or r.get("id") != n:
        raise SystemExit("status %d failed: %s" % (n, line))
    return r["result"]
sweeps = double = none = n = 0
leaders = set()
end = time.time() + 60
done = False
while time.time() < end and not done:
    res = []
    for i in range(len(paths)):
        if socks[i] is None:
            connect(i)
        if socks[i] is not None:
            n += 1
            res.append((i, status(i, n)))
    if not res:
        time.sleep(0.005)
        continue
    sweeps += 1
    lead = [i for i, r in res if r["role"] == "leader"]
    if len(lead) > 1:
        double += 1
    if not lead:
        none += 1
    for i in lead:
        leaders.add(i)
    done = len(res) == len(paths) and all(
        r["state"] == "current" and r["current"] == [head] for i, r in res)
print(json.dumps({"sweeps": sweeps, "double": double, "none": none,
                  "leaders": sorted(leaders), "done": done}))
EOF
}

total_double=0 total_dups=0 total_sweeps=0
for ((round = 1; round <= rounds; round++)); do
	db=$(t_newdb)
	socks=()
	for n in "${names[@]}"; do socks+=("$(t_sock "$n")"); done
	# the sampler first, so that it sees the daemons from their start
	sample "$head" "${socks[@]}" >"$T_TMP/sample.out" 2>&1 &
	spid=$!
	t0=$(f_now_ms)
	for n in "${names[@]}"; do
		f_spawn "$n" "$db" "$dir"
	done
	rc=0
	wait "$spid" || rc=$?
	sum=$(cat "$T_TMP/sample.out")
	((rc == 0)) || fail "round $round: sampler: $sum"
	f_wait_up "${names[@]}"
	ms=$(($(f_now_ms) - t0))
	echo "# round $round: $sum, ${ms} ms"
	[[ $(jq -r .done <<<"$sum") == true ]] ||
		fail "round $round: not all daemons reached $head: $sum"
	d=$(jq -r .double <<<"$sum")
	total_double=$((total_double + d))
	total_sweeps=$((total_sweeps + $(jq -r .sweeps <<<"$sum")))
	((d == 0)) || fail "round $round: $d sample(s) with two leaders: $sum"
	[[ $(jq -r '.leaders | length' <<<"$sum") == 1 ]] ||
		fail "round $round: leadership moved with no daemon dying: $sum"

	# the database: each revision once, nothing failed, head
	dups=$(f_history_dups "$db")
	[[ -z $dups ]] || fail "round $round: applied more than once: $dups"
	[[ $(t_sql "$db" "SELECT count(DISTINCT revision) FROM migrated_history WHERE operation = 'upgrade' AND outcome = 'ok'") == "$nrev" ]] ||
		fail "round $round: not every revision has an ok row"
	[[ $(t_sql "$db" "SELECT count(*) FROM migrated_history WHERE outcome <> 'ok'") == 0 ]] ||
		fail "round $round: $(t_sql "$db" "SELECT revision, outcome, error FROM migrated_history WHERE outcome <> 'ok'")"
	[[ $(t_sql "$db" "SELECT string_agg(version_num, ',') FROM alembic_version") == "$head" ]] ||
		fail "round $round: version rows"
	q="SELECT 0"
	for ((i = 1; i <= nrev; i++)); do q+=" + (SELECT count(*) FROM race_$i WHERE id = $i)"; done
	[[ $(t_sql "$db" "$q") == "$nrev" ]] ||
		fail "round $round: some revision's INSERT ran more or less than once"
	# one pid applied them all: the leader's
	[[ $(t_sql "$db" "SELECT count(DISTINCT pid) FROM migrated_history") == 1 ]] ||
		fail "round $round: several daemons applied revisions"

	# all five agree when they re-read the database
	ref=
	for n in "${names[@]}"; do
		st=$(t_json "$n" status --fresh | jq -c '.result | [.state, .current, .heads, .leader.application_name]')
		[[ -z $ref ]] && ref=$st
		[[ $st == "$ref" ]] || fail "round $round: $n says $st, d1 says $ref"
	done
	[[ $(jq -r '.[0]' <<<"$ref") == current ]] || fail "round $round: state $ref"
	for n in "${names[@]}"; do t_stop "$n"; done
	ok "round $round: one leader in $(jq -r .sweeps <<<"$sum") sweeps of 5, $nrev revisions once each, all agree (${ms} ms)"
done
echo "# FIGURES race: ${#names[@]} daemons x $nrev revisions x $rounds rounds: $total_double double-leader samples of $total_sweeps sweeps, 0 duplicates"
