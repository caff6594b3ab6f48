CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('a', 'b');
CREATE TABLE app.t (id int PRIMARY KEY, m app.mood DEFAULT 'a');
CREATE VIEW app.v AS SELECT id, m FROM app.t;
