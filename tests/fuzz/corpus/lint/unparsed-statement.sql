-- revision: flag1
-- down_revision: p0001

-- +upgrade
CREATE TABLE t (a int) WITH SYNTAX ERROR;
