-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN price SET NOT NULL;
