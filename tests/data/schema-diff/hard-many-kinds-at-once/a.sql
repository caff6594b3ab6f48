CREATE TABLE t (id int PRIMARY KEY, name text, n int);CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE VIEW v AS SELECT id, n FROM t;
