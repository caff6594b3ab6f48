CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW v1 AS SELECT id FROM t;
