CREATE TABLE t (id int, v text); GRANT SELECT (v), UPDATE (v) ON t TO PUBLIC;
