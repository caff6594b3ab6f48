-- revision: ok4
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;
