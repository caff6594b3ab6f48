CREATE TABLE t (id int PRIMARY KEY, name text); CREATE UNIQUE INDEX t_name_u ON t (name);
