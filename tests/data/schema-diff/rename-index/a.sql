CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX i1 ON t (name);
