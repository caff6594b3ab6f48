-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN title TYPE text;
