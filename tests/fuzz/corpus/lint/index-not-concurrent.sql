-- revision: flag1
-- down_revision: p0001

-- +upgrade
CREATE INDEX big_price_idx ON big (price);
