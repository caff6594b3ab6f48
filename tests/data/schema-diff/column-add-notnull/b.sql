CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, email text); CREATE INDEX t_email ON t (email);
