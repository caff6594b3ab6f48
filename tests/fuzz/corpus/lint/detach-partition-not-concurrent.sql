-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE events DETACH PARTITION events_2024;
