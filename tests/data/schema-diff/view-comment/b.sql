CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW v AS SELECT id FROM t; COMMENT ON VIEW v IS 'ids';
