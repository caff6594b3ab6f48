-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
CREATE INDEX f_a_idx ON f (a);
DROP INDEX f_a_idx;
