CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW thing AS SELECT id FROM t;
