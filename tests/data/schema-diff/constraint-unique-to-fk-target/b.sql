CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE); CREATE TABLE c (id int, code text REFERENCES p (code));
