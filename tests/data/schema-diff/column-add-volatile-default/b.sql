CREATE TABLE t (id int PRIMARY KEY, name text, r double precision DEFAULT random());
