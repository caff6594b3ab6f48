-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE p (a int) PARTITION BY LIST (a);
CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
ALTER TABLE p DETACH PARTITION p1;
