-- revision: flag1
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
-- lint-test pg-version 140002
DROP INDEX CONCURRENTLY IF EXISTS big_price_idx;
CREATE INDEX CONCURRENTLY big_price_idx ON big (price);
