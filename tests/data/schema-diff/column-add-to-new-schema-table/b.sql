CREATE SCHEMA s; CREATE TABLE s.t (id int, v text);
