-- revision: flag14
-- down_revision: p0001

-- +upgrade
-- a DEFAULT partition: its constraint (no other partition's rows) is not
-- proved from CHECKs
ALTER TABLE events ATTACH PARTITION loose2 DEFAULT;
