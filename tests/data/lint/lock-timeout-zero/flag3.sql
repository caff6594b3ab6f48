-- revision: flag3
-- down_revision: p0001

-- +upgrade
SET LOCAL lock_timeout TO '0s';
ALTER TABLE big ADD COLUMN z int;
