CREATE TABLE t (id int PRIMARY KEY, name text, k text COLLATE "C");
