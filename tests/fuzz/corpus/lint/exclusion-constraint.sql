-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE events_2025 ADD EXCLUDE USING gist (id WITH =);
