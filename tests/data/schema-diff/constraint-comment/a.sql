CREATE TABLE t (id int, CONSTRAINT t_pos CHECK (id > 0));
