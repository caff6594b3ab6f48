CREATE UNLOGGED TABLE t (id int, v text);
