CREATE TABLE t (id int PRIMARY KEY, name text, tags text[] NOT NULL DEFAULT '{}');
