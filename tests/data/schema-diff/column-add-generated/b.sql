CREATE TABLE t (id int PRIMARY KEY, name text, len int GENERATED ALWAYS AS (length(name)) STORED);
