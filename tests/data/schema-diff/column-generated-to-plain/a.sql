CREATE TABLE t (id int, name text, u text GENERATED ALWAYS AS (upper(name)) STORED);
