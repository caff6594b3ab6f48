-- revision: flag1
-- down_revision: p0001

-- +upgrade
CREATE INDEX events_at_idx ON events (at);
