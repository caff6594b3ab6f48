CREATE TYPE mood AS ENUM ('sad', 'ok'); CREATE TABLE t (id int, m mood NOT NULL DEFAULT 'ok');
