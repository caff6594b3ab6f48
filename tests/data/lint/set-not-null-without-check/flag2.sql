-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ALTER COLUMN label SET NOT NULL;
