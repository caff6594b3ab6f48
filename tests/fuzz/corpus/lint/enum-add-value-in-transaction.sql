-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood ADD VALUE 'calm';
UPDATE big SET feeling = 'calm' WHERE id = 1;
