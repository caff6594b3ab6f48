-- revision: 0004
-- reviewer: alice
-- +upgrade
ALTER TABLE t ADD b int;
