CREATE TABLE t (id int PRIMARY KEY, name text, n int NOT NULL DEFAULT 7);
