CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE MATERIALIZED VIEW mv AS SELECT id, n FROM t; CREATE INDEX mv_n ON mv (n);
