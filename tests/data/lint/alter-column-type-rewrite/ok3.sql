-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN price TYPE numeric(12, 2);
