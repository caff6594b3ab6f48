-- revision: flag2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
-- lint-test pg-version 140000
REINDEX INDEX CONCURRENTLY big_name_idx;
