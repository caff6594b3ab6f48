-- revision: flag4
-- down_revision: p0001

-- +upgrade
ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;
