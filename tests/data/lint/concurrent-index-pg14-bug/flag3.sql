-- revision: flag3
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
-- lint-test pg-version 140003
DROP INDEX CONCURRENTLY IF EXISTS small_big_key;
CREATE UNIQUE INDEX CONCURRENTLY small_big_key ON small (big_id);
