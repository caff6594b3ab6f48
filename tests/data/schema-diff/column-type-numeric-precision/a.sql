CREATE TABLE t (id int PRIMARY KEY, v numeric(8, 2));
