CREATE TABLE t (a int, b int, CHECK (a < b), CHECK (a > 0));
