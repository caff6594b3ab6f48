CREATE TABLE a (id int, x bigint); CREATE TABLE b (id int, y text); CREATE VIEW ab AS SELECT a.id, x, y FROM a JOIN b USING (id);
