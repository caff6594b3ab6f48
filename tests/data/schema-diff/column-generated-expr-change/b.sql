CREATE TABLE t (id int, name text, u text GENERATED ALWAYS AS (lower(name)) STORED);
