CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_lower ON t (lower(name));
