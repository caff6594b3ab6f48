CREATE TABLE a (id int, x int); CREATE TABLE b (id int, y int); CREATE VIEW ab AS SELECT a.id, x, y FROM a JOIN b USING (id);
