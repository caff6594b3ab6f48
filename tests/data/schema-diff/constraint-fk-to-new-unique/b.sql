CREATE TABLE p (id int PRIMARY KEY, code text); CREATE UNIQUE INDEX p_code ON p (code); CREATE TABLE c (id int, code text REFERENCES p (code));
