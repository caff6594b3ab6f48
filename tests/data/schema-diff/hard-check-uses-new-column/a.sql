CREATE TABLE t (lo int);
