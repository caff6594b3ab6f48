CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (id int, m mood CONSTRAINT t_not_sad CHECK (m <> 'sad'));
