-- revision: flag2
-- down_revision: p0001

-- +upgrade
CREATE TABLE t ("case" int, "end" int);
CREATE FUNCTION f() RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT t.case FROM t;
END;
SELECT t.end FROM t;
