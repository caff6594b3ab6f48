CREATE TABLE t (a bigint, b bigint GENERATED ALWAYS AS (a * 2) STORED);
