CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX i2 ON t (name);
