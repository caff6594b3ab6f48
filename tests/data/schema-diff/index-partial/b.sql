CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_name_p ON t (name) WHERE name IS NOT NULL;
