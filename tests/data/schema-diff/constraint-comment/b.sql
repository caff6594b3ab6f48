CREATE TABLE t (id int, CONSTRAINT t_pos CHECK (id > 0)); COMMENT ON CONSTRAINT t_pos ON t IS 'positive';
