CREATE TABLE t (id int PRIMARY KEY, name text, old int); CREATE INDEX t_old ON t (old); CREATE INDEX t_name_old ON t (name, old);
