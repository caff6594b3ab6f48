CREATE TABLE t (k int, v text);
