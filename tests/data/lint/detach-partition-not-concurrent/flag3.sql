-- revision: flag3
-- down_revision: p0001

-- +upgrade
-- lint-test pg-version 140005
ALTER TABLE events DETACH PARTITION events_2024;
