-- revision: Bad06
-- down_revision: abcdefghijklmnopqrstuvwxyz0123456
-- down_revision: again
-- lock_timeout: 2147483648
-- statement_timeout: 25d
-- transactional:
-- +upgrade
SELECT 'x
