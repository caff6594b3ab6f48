-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD CONSTRAINT big_price_pos CHECK (price > 0);
