-- revision: ok5
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN created TYPE timestamp(6);
