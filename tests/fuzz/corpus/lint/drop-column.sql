-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big DROP COLUMN note;
