-- revision: ok3
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
-- squawk-ignore ban-drop-database
DROP DATABASE IF EXISTS scratch;
