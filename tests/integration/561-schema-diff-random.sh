#!/usr/bin/env bash
# 561-schema-diff-random: random schemas and random edits of them through
# the checks of the fixtures (550-schema-diff.sh: autogenerate proves its
# plan, migrated --once reaches b's pg_dump, a second plan is empty, the
# downgrade returns to a's dump), for SCHEMA_DIFF_RANDOM_SECS seconds
# (default 20; `make check-slow`: 600). SCHEMA_DIFF_SEED reproduces a run;
# a failing pair is printed whole, ready to become a fixture.
SCHEMA_DIFF_LIB=1 source "$TOP_SRCDIR/tests/integration/550-schema-diff.sh"
source "$TOP_SRCDIR/tests/lib/daemon.sh"
export FIXDIR=$T_TMP/fixtures
export WORK=$T_TMP
export DEV="host=$PGHOST port=$PGPORT user=$PGUSER dbname=postgres"
export MIGRATED MIGRATECTL
# an enum label added under a view makes a revision irreversible: fine here
export SCHEMA_DIFF_IRREVERSIBLE_OK=1
# random drops and rewrites are what lint warns of: the fixtures lint
export SCHEMA_DIFF_LINT=0
command -v jq >/dev/null || fail "jq is needed"
command -v python3 >/dev/null || t_skip "python3 is needed for the generator"

seed=${SCHEMA_DIFF_SEED:-$((RANDOM * 32768 + RANDOM))}
secs=${SCHEMA_DIFF_RANDOM_SECS:-20}
echo "seed $seed, ${secs}s"
mkdir -p "$FIXDIR"

# gen DIR SEED: a random a.sql and an edit of it, b.sql; args: --allow-drop
gen() {
	python3 - "$@" <<'PY'
import os, random, sys
d, seed = sys.argv[1], int(sys.argv[2])
R = random.Random(seed)
os.makedirs(d, exist_ok=True)
TYPES = ["integer", "bigint", "text", "varchar(20)", "numeric(10, 2)",
         "boolean", "timestamptz", "date", "jsonb"]
WIDER = {"integer": "bigint", "varchar(20)": "varchar(40)",
         "numeric(10, 2)": "numeric(14, 2)", "text": "varchar(60)",
         "bigint": "numeric(20, 0)", "date": "timestamptz"}
DEFAULTS = {"integer": "0", "bigint": "1", "text": "''", "boolean": "false",
            "varchar(20)": "'x'", "numeric(10, 2)": "0", "date": "'2020-01-01'",
            "timestamptz": "now()", "jsonb": "'{}'"}

def schema():
    s = {"enum": ["a", "b", "c"], "tables": {}, "views": {}, "seq": R.random() < 0.5}
    for t in range(R.randint(2, 4)):
        cols = {"id": {"type": "bigint", "nn": True, "def": None}}
        for c in range(R.randint(1, 5)):
            ty = R.choice(TYPES + ["mood"])
            cols["c%d" % c] = {"type": ty, "nn": R.random() < 0.3,
                               "def": DEFAULTS.get(ty, "'a'") if R.random() < 0.4 else None}
        s["tables"]["t%d" % t] = {"cols": cols, "idx": set(), "chk": None, "fk": None,
                                  "unlogged": R.random() < 0.1}
    names = sorted(s["tables"])
    for t in names:
        tb = s["tables"][t]
        cs = [c for c in tb["cols"] if c != "id"]
        for c in R.sample(cs, k=min(len(cs), R.randint(0, 2))):
            tb["idx"].add(c)
        ints = [c for c in cs if tb["cols"][c]["type"] in ("integer", "bigint")]
        if ints and R.random() < 0.5:
            tb["chk"] = ints[0]
        if t != names[0] and R.random() < 0.5:
            tb["fk"] = R.choice([n for n in names if n != t])
    if R.random() < 0.7:
        t = R.choice(names)
        cols = list(s["tables"][t]["cols"])
        s["views"]["v_" + t] = (t, R.sample(cols, k=R.randint(1, len(cols))))
    return s

def render(s):
    out = ["CREATE TYPE mood AS ENUM (%s);" % ", ".join("'%s'" % l for l in s["enum"])]
    if s["seq"]:
        out.append("CREATE SEQUENCE counter;")
    for t, tb in sorted(s["tables"].items()):
        cols = []
        for c, col in tb["cols"].items():
            d = "%s %s" % (c, col["type"])
            if col["def"] is not None:
                d += " DEFAULT " + (col["def"] if col["type"] != "mood" else "'a'")
            if col["nn"]:
                d += " NOT NULL"
            cols.append(d)
        cols.append("CONSTRAINT %s_pkey PRIMARY KEY (id)" % t)
        out.append("CREATE %sTABLE %s (\n    %s\n);" % ("UNLOGGED " if tb["unlogged"] else "",
                                                       t, ",\n    ".join(cols)))
        if tb["chk"]:
            out.append("ALTER TABLE %s ADD CONSTRAINT %s_chk CHECK (%s >= 0);" % (t, t, tb["chk"]))
        for c in sorted(tb["idx"]):
            out.append("CREATE INDEX %s_%s_idx ON %s (%s);" % (t, c, t, c))
    for t, tb in sorted(s["tables"].items()):
        if tb["fk"] and not s["tables"][tb["fk"]]["unlogged"] and not tb["unlogged"]:
            out.append("ALTER TABLE %s ADD COLUMN %s_id bigint REFERENCES %s (id);"
                       % (t, tb["fk"], tb["fk"]) if False else
                       "ALTER TABLE %s ADD CONSTRAINT %s_fk FOREIGN KEY (id) REFERENCES %s (id);"
                       % (t, t, tb["fk"]))
    for v, (t, cols) in sorted(s["views"].items()):
        out.append("CREATE VIEW %s AS SELECT %s FROM %s;" % (v, ", ".join(cols), t))
    return "\n".join(out) + "\n"

def edit(s):
    import copy
    s = copy.deepcopy(s)
    names = sorted(s["tables"])
    for _ in range(R.randint(1, 4)):
        t = R.choice(names)
        tb = s["tables"][t]
        cs = [c for c in tb["cols"] if c != "id"]
        op = R.choice(["add", "drop", "type", "nn", "def", "idx", "chk",
                       "table", "view", "enum", "fk", "unlogged"])
        if op == "add":
            ty = R.choice(TYPES)
            tb["cols"]["n%d" % R.randint(0, 99)] = {"type": ty, "nn": False,
                                                   "def": DEFAULTS[ty] if R.random() < 0.5 else None}
        elif op == "drop" and cs:
            c = R.choice(cs)
            del tb["cols"][c]
            tb["idx"].discard(c)
            if tb["chk"] == c:
                tb["chk"] = None
            for v, (vt, vc) in list(s["views"].items()):
                if vt == t and c in vc:
                    vc.remove(c)
                    if not vc:
                        del s["views"][v]
        elif op == "type" and cs:
            c = R.choice(cs)
            w = WIDER.get(tb["cols"][c]["type"])
            if w and tb["chk"] != c:
                tb["cols"][c]["type"] = w
                if tb["cols"][c]["def"] is not None:
                    tb["cols"][c]["def"] = DEFAULTS.get(w, tb["cols"][c]["def"])
        elif op == "nn" and cs:
            c = R.choice(cs)
            tb["cols"][c]["nn"] = not tb["cols"][c]["nn"]
        elif op == "def" and cs:
            c = R.choice(cs)
            ty = tb["cols"][c]["type"]
            tb["cols"][c]["def"] = None if tb["cols"][c]["def"] else DEFAULTS.get(ty, "'b'")
        elif op == "idx" and cs:
            c = R.choice(cs)
            tb["idx"] ^= {c}
        elif op == "chk":
            ints = [c for c in cs if tb["cols"][c]["type"] in ("integer", "bigint")]
            tb["chk"] = None if tb["chk"] else (ints[0] if ints else None)
        elif op == "table":
            if R.random() < 0.5 and len(names) > 1:
                del s["tables"][t]
                for o in s["tables"].values():
                    if o["fk"] == t:
                        o["fk"] = None
                s["views"] = {v: x for v, x in s["views"].items() if x[0] != t}
                names.remove(t)
            else:
                s["tables"]["t%d" % (10 + R.randint(0, 9))] = {
                    "cols": {"id": {"type": "bigint", "nn": True, "def": None},
                             "x": {"type": "text", "nn": False, "def": None}},
                    "idx": {"x"}, "chk": None, "fk": None, "unlogged": False}
                names = sorted(s["tables"])
        elif op == "view":
            cols = list(tb["cols"])
            s["views"]["v_" + t] = (t, R.sample(cols, k=R.randint(1, len(cols))))
        elif op == "enum":
            s["enum"].insert(R.randint(0, len(s["enum"])), "e%d" % R.randint(0, 9)) \
                if R.random() < 0.7 else s["enum"].pop(R.randint(1, len(s["enum"]) - 1))
            s["enum"] = list(dict.fromkeys(s["enum"]))
        elif op == "fk" and len(names) > 1:
            tb["fk"] = None if tb["fk"] else R.choice([n for n in names if n != t])
        elif op == "unlogged":
            tb["unlogged"] = not tb["unlogged"]
    return s

a = schema()
b = edit(a)
open(os.path.join(d, "a.sql"), "w").write(render(a))
open(os.path.join(d, "b.sql"), "w").write(render(b))
open(os.path.join(d, "args"), "w").write("--allow-drop\n")
PY
}

end=$((SECONDS + secs))
i=0 failed=()
while ((SECONDS < end)); do
	c=random-$seed-$i
	gen "$FIXDIR/$c" $((seed + i))
	if ! (case_main "$c") >/dev/null 2>&1 || ! grep -q "^PASS $c" "$WORK/$c/log"; then
		failed+=("$c")
		echo "---- $c (SCHEMA_DIFF_SEED=$seed, case $i)"
		echo "-- a.sql"; cat "$FIXDIR/$c/a.sql"
		echo "-- b.sql"; cat "$FIXDIR/$c/b.sql"
		tail -n 20 "$WORK/$c/log"
	fi
	i=$((i + 1))
done
echo "schema-diff-random: $((i - ${#failed[@]})) of $i random pairs pass in ${secs}s"
((i > 0)) || fail "no pair ran in ${secs}s"
((${#failed[@]} == 0)) || fail "random pairs failed: ${failed[*]}"
ok "$i random schema pairs pass"
