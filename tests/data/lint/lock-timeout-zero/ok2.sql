-- revision: ok2
-- down_revision: p0001

-- +upgrade
SET lock_timeout = '5s';
ALTER TABLE big ADD COLUMN z int;
