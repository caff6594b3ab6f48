CREATE TYPE mood AS ENUM ('happy', 'ok', 'sad'); CREATE TABLE t (id int, m mood);
