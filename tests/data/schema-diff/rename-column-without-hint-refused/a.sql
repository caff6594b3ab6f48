CREATE TABLE t (id int, mail text);
