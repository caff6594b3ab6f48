CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_name_c ON t (name COLLATE "C");
