CREATE TABLE t (id int); CREATE TABLE t2 (id int);
