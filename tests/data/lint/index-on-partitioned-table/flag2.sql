-- revision: flag2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
DROP INDEX CONCURRENTLY IF EXISTS events_id_idx;
CREATE INDEX CONCURRENTLY events_id_idx ON events (id);
