-- revision: a1b2c3
-- down_revision: a1b2
-- lock_timeout: 2147483647
-- statement_timeout: 24d
-- +upgrade
-- No downgrade section: irreversible.
UPDATE t SET a = 2
