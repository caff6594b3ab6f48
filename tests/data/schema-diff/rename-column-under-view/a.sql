CREATE TABLE t (id int, mail text); CREATE VIEW v AS SELECT mail FROM t;
