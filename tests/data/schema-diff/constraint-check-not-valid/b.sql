CREATE TABLE t (id int PRIMARY KEY, name text); ALTER TABLE t ADD CONSTRAINT t_name_len CHECK (length(name) < 100) NOT VALID;
