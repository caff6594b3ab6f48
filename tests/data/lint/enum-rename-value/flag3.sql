-- revision: flag3
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
