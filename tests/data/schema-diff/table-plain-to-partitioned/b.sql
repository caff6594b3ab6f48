CREATE TABLE t (k int, v text) PARTITION BY RANGE (k);
