CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE FUNCTION f(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT x $$; CREATE VIEW v AS SELECT f(id) AS x FROM t;
