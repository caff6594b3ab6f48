-- revision: flag1
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
CREATE INDEX CONCURRENTLY big_price_idx ON big (price);
