CREATE TABLE t (id int PRIMARY KEY, name text, CONSTRAINT t_name_len CHECK (length(name) < 100));
