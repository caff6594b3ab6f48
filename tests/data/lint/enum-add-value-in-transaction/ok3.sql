-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood ADD VALUE 'calm';
UPDATE big SET feeling = 'sad' WHERE id = 1;
