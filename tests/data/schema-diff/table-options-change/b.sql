CREATE TABLE t (id int) WITH (fillfactor = 80, autovacuum_enabled = false);
