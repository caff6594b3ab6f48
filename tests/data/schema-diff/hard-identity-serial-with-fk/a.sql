CREATE TABLE p (id serial PRIMARY KEY); CREATE TABLE c (p_id int REFERENCES p (id));
