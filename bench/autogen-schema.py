#!/usr/bin/env python3
"""bench/autogen-schema.py N DIR: a schema of N tables for the autogenerate
bench (bench/autogen): DIR/a.sql (the migrations' head) and DIR/b.sql (the
desired schema: a moderate change of it). Each table has an identity
primary key, a foreign key to the previous table, a CHECK, defaults and two
indexes; every 10th table a view over it and its parent; every 10th a SQL
function; every 25th a trigger. b.sql adds a column to every 25th table,
an index to every 50th, changes every 100th view and function, and adds a
table."""
import os
import sys

n = int(sys.argv[1])
out = sys.argv[2]
os.makedirs(out, exist_ok=True)


def schema(changed):
    s = ["CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ "
         "BEGIN NEW.updated_at := now(); RETURN NEW; END $$;"]
    for i in range(1, n + 1):
        t = "t%04d" % i
        cols = ["id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                "name text NOT NULL",
                "status text NOT NULL DEFAULT 'new' "
                "CHECK (status IN ('new', 'done'))",
                "score numeric(10, 2) DEFAULT 0",
                "created_at timestamptz NOT NULL DEFAULT now()",
                "updated_at timestamptz"]
        if i > 1:
            cols.append("parent_id bigint REFERENCES t%04d (id)" % (i - 1))
        if changed and i % 25 == 0:
            cols.append("note text")
        s.append("CREATE TABLE %s (\n    %s\n);" % (t, ",\n    ".join(cols)))
        s.append("CREATE INDEX %s_name ON %s (name);" % (t, t))
        s.append("CREATE INDEX %s_status ON %s (status, created_at DESC);"
                 % (t, t))
        if changed and i % 50 == 0:
            s.append("CREATE INDEX %s_score ON %s (score) WHERE score > 0;"
                     % (t, t))
        if i % 25 == 0:
            s.append("CREATE TRIGGER %s_touch BEFORE UPDATE ON %s FOR EACH "
                     "ROW EXECUTE FUNCTION touch();" % (t, t))
        if i % 10 == 0 and i > 1:
            extra = ", c.score" if changed and i % 100 == 0 else ""
            s.append("CREATE VIEW %s_v AS SELECT c.id, c.name, p.name AS "
                     "parent_name%s FROM %s c JOIN t%04d p ON p.id = "
                     "c.parent_id;" % (t, extra, t, i - 1))
            body = "count(*) * 2" if changed and i % 100 == 0 else "count(*)"
            s.append("CREATE FUNCTION %s_count() RETURNS bigint LANGUAGE "
                     "sql STABLE AS $$ SELECT %s FROM %s $$;" % (t, body, t))
    if changed:
        s.append("CREATE TABLE extra (id bigint PRIMARY KEY, t1 bigint "
                 "REFERENCES t0001 (id), payload jsonb);")
    return "\n".join(s) + "\n"


for name, changed in (("a.sql", False), ("b.sql", True)):
    with open(os.path.join(out, name), "w") as f:
        f.write(schema(changed))
