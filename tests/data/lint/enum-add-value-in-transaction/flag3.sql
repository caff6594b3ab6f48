-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';
ALTER TABLE big ALTER COLUMN feeling SET DEFAULT 'meh';
