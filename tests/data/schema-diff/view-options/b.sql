CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW v WITH (security_barrier = true) AS SELECT id, name FROM t;
