CREATE TABLE t (id int PRIMARY KEY, name text, note text); COMMENT ON COLUMN t.note IS 'free text';
