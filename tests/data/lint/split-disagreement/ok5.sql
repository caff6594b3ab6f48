-- revision: ok5
-- down_revision: p0001

-- +upgrade
CREATE TABLE t (begin int);
CREATE TABLE function AS SELECT begin atomic FROM t;
SELECT 1 AS end;
