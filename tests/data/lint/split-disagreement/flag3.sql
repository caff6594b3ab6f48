-- revision: flag3
-- down_revision: p0001

-- +upgrade
CREATE TABLE t (a int);
CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT a case FROM t; END; SELECT 2; SELECT 3 end;
