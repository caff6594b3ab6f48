CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'new'); CREATE TABLE t (id int, m mood DEFAULT 'new');
