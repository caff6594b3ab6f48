-- revision: ok2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
DROP INDEX CONCURRENTLY IF EXISTS big_name_idx;
