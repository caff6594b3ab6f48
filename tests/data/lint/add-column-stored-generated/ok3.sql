-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN total numeric;
