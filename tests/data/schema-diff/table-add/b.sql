CREATE TABLE t (id int);
CREATE TABLE u (id bigint PRIMARY KEY, name text NOT NULL DEFAULT '', at timestamptz DEFAULT now());
