-- revision: flag1
-- down_revision: p0001

-- +upgrade
CREATE INDEX CONCURRENTLY big_price_idx ON big (price);
