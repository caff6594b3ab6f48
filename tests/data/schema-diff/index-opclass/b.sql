CREATE TABLE t (id int PRIMARY KEY, name text); CREATE INDEX t_name_pat ON t (name text_pattern_ops);
