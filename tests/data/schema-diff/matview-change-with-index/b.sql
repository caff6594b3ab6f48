CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE MATERIALIZED VIEW mv AS SELECT id, n, name FROM t; CREATE UNIQUE INDEX mv_id ON mv (id);
