CREATE TABLE t (id int PRIMARY KEY, name text, n numeric(20, 0)); CREATE INDEX t_n ON t (n); ALTER TABLE t ADD CONSTRAINT t_n_pos CHECK (n > 0); CREATE VIEW v AS SELECT n FROM t;
