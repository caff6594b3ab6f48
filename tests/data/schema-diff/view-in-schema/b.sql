CREATE SCHEMA s;CREATE TABLE t (id int PRIMARY KEY, name text, n int); CREATE VIEW s.v AS SELECT id FROM public.t;
