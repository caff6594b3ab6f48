CREATE TABLE t (id int PRIMARY KEY, name text); COMMENT ON TABLE t IS E'line\\1 it''s "quoted"';
