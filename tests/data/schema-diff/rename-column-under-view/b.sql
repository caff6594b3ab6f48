CREATE TABLE t (id int, email text); CREATE VIEW v AS SELECT email AS mail FROM t;
