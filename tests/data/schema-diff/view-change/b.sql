CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW v AS SELECT id, name, n FROM t WHERE n > 0;
