-- revision: flag5
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
ALTER TABLE big ADD COLUMN z int;
