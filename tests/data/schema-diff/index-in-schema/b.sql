CREATE SCHEMA s; CREATE TABLE s.t (id int, v text); CREATE INDEX t_v ON s.t (v);
