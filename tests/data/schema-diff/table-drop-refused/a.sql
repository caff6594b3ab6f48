CREATE TABLE t (id int); CREATE TABLE gone (id int);
