-- revision: flag1
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
DROP DATABASE other;
