-- revision: flag1
-- down_revision: p0001
-- transactional: false

-- +upgrade
DROP INDEX CONCURRENTLY IF EXISTS big_price_idx;
CREATE INDEX CONCURRENTLY big_price_idx ON big (price);
