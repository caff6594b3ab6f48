-- revision: ok3
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
DROP INDEX CONCURRENTLY IF EXISTS events_2024_at_idx;
CREATE INDEX CONCURRENTLY events_2024_at_idx ON events_2024 (at);
