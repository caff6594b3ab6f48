CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS c, max(n) AS m FROM t;
