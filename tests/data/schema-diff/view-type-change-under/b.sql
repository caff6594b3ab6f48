CREATE TABLE t (id int PRIMARY KEY, name text, n bigint); CREATE VIEW v AS SELECT id, n FROM t;
