CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_name_desc ON t (name DESC NULLS LAST, id NULLS FIRST);
