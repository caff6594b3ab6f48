-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN total numeric GENERATED ALWAYS AS (price * 2) STORED;
