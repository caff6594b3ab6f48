-- revision: flag3
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
CREATE INDEX CONCURRENTLY IF NOT EXISTS big_price_idx ON big (price);
