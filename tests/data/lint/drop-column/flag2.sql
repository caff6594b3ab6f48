-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE small DROP COLUMN IF EXISTS label;
