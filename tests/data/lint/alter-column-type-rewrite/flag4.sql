-- revision: flag4
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN note TYPE int USING note::int;
