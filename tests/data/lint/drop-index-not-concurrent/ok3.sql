-- revision: ok3
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
DROP INDEX CONCURRENTLY big_name_idx;
