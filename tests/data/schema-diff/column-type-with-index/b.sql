CREATE TABLE t (id int PRIMARY KEY, v bigint UNIQUE); CREATE INDEX t_v ON t (v);
