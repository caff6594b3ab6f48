-- revision: ok2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm';
UPDATE big SET feeling = 'calm' WHERE id = 1;
