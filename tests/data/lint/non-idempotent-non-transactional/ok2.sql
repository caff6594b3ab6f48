-- revision: ok2
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
ALTER TABLE big ADD COLUMN IF NOT EXISTS z int;
INSERT INTO small VALUES (1, NULL, 'x') ON CONFLICT DO NOTHING;
