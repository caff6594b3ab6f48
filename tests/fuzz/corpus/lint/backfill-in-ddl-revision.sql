-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN score int;
UPDATE big SET score = 0;
