CREATE TABLE t (lo int, hi int, CONSTRAINT t_range CHECK (lo <= hi));
