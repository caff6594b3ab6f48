CREATE TABLE users (id int PRIMARY KEY); CREATE TABLE post (u int REFERENCES users (id)); CREATE VIEW v AS SELECT id FROM users;
