CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'banned'); CREATE TABLE t (id int, m mood CHECK (m <> 'banned'));
