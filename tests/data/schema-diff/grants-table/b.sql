CREATE TABLE t (id int, v text); GRANT SELECT ON t TO PUBLIC; GRANT INSERT, UPDATE ON t TO pg_read_all_data;
