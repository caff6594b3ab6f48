CREATE AGGREGATE mysum(int) (sfunc = int4pl, stype = int); CREATE TABLE t (id int, name text);
