-- revision: ok6
-- down_revision: p0001

-- +upgrade
CREATE TABLE t (begin int);
CREATE MATERIALIZED VIEW function AS SELECT begin atomic FROM t; SELECT 2; SELECT 3 AS end;
