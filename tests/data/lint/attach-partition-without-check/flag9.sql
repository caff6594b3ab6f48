-- revision: flag9
-- down_revision: p0001

-- +upgrade
-- region may be NULL and the list has no NULL
ALTER TABLE orders ATTACH PARTITION orders_us FOR VALUES IN ('us');
