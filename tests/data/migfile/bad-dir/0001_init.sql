-- revision: 0001
-- down_revision: none
-- +upgrade
CREATE TABLE t (a int);
-- +downgrade
DROP TABLE t;
