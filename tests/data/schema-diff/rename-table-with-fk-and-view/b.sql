CREATE TABLE accounts (id int PRIMARY KEY); CREATE TABLE post (u int REFERENCES accounts (id)); CREATE VIEW v AS SELECT id FROM accounts;
