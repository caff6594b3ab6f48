-- revision: flag2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
CREATE INDEX CONCURRENTLY ON big (price);
