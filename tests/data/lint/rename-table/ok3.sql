-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
ALTER TABLE f RENAME TO f2;
ALTER TABLE f2 RENAME TO f3;
CREATE INDEX f3_a_idx ON f3 (a);
