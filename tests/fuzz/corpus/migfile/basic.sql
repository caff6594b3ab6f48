-- revision: a1b2
-- down_revision: none
-- message: basic: create a table
-- create_date: 2025-10-02 09:30:00+00

-- +upgrade
CREATE TABLE t (
    a int
);
INSERT INTO t VALUES (1);

-- +downgrade
DROP TABLE t;
