CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW v2 AS SELECT id FROM t;
