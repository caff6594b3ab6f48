CREATE TABLE t (id int PRIMARY KEY, v numeric(12, 2));
