-- revision: flag1
-- down_revision: p0001

-- +upgrade
-- split.c counts CASE ... END inside a BEGIN ATOMIC body; a column labelled
-- "case" (AS case) is counted too, so the body runs to a later END.
CREATE TABLE t (a int);
CREATE FUNCTION f() RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT a AS case FROM t;
END;
SELECT 1 AS end;
