-- revision: ok3
-- down_revision: p0001

-- +upgrade
SET statement_timeout = 0;
ALTER TABLE big ADD COLUMN z int;
