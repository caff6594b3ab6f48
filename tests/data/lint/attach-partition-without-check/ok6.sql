-- revision: ok6
-- down_revision: p0001

-- +upgrade
-- region = 'us' or NULL: the list has NULL
ALTER TABLE orders ATTACH PARTITION orders_us FOR VALUES IN ('us', NULL);
