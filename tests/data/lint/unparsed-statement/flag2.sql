-- revision: flag2
-- down_revision: p0001

-- +upgrade
-- PostgreSQL 18 syntax.
CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a) VIRTUAL);
