-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN name SET STATISTICS 500;
