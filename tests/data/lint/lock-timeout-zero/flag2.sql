-- revision: flag2
-- down_revision: p0001

-- +upgrade
SET lock_timeout = 0;
ALTER TABLE big ADD COLUMN z int;
