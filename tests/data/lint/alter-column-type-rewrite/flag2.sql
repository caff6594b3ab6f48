-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN title TYPE varchar(20);
