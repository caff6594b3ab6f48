-- revision: ok4
-- down_revision: p0001

-- +upgrade
-- A view named "function" and a column "begin" aliased "atomic": no routine body.
CREATE TABLE t (begin int);
CREATE VIEW function AS SELECT begin atomic FROM t; CREATE VIEW v2 AS SELECT 1 AS end;
