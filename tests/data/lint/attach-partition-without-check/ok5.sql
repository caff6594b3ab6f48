-- revision: ok5
-- down_revision: p0001

-- +upgrade
-- a list CHECK within the list
ALTER TABLE orders ATTACH PARTITION orders_eu
    FOR VALUES IN ('de', 'fr', 'it');
