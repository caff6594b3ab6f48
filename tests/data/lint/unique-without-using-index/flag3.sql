-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ADD COLUMN code text UNIQUE;
