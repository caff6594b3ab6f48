-- revision: flag3
-- down_revision: p0001
-- message: calm feelings
-- transactional: false

-- +upgrade
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm';
