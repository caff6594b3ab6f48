CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (id int, m mood); CREATE VIEW v AS SELECT id, m FROM t WHERE m <> 'sad';
