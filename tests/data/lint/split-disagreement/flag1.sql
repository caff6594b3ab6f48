-- revision: flag1
-- down_revision: p0001

-- +upgrade
-- split.c takes "function ... begin atomic" for a routine body up to END.
CREATE TABLE t (begin int);
CREATE VIEW function AS SELECT begin atomic FROM t; CREATE VIEW v2 AS SELECT 1 AS end;
