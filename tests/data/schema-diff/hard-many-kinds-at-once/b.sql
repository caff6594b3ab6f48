CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'great');
CREATE TABLE t (id int PRIMARY KEY, name text NOT NULL, n bigint, m mood DEFAULT 'great');
CREATE INDEX t_name ON t (lower(name));
CREATE VIEW v AS SELECT id, n, m FROM t;
CREATE TABLE child (id int PRIMARY KEY, t_id int REFERENCES t (id) ON DELETE CASCADE);
CREATE FUNCTION n_of(i int) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT n FROM t WHERE id = i $$;
