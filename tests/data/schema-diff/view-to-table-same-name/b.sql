CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE TABLE thing (id int);
