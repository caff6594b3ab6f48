CREATE TABLE t (id int PRIMARY KEY, k text);
