-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE events ATTACH PARTITION events_other DEFAULT;
