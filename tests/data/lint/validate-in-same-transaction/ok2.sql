-- revision: ok2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
ALTER TABLE big ADD CONSTRAINT big_pos CHECK (price > 0) NOT VALID;
ALTER TABLE big VALIDATE CONSTRAINT big_pos;
