CREATE TABLE users (id int PRIMARY KEY, n text);
