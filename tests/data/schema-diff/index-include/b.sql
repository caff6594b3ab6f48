CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_id_inc ON t (id) INCLUDE (name);
