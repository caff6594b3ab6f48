-- revision: flag4
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
INSERT INTO small VALUES (1, NULL, 'x');
