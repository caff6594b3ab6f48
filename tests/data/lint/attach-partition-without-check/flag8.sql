-- revision: flag8
-- down_revision: p0001

-- +upgrade
-- a list CHECK wider than the list: 'fr' is not in it
ALTER TABLE orders ATTACH PARTITION orders_eu FOR VALUES IN ('de');
