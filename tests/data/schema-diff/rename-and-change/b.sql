CREATE TABLE accounts (id bigint PRIMARY KEY, n text NOT NULL, extra int);
