-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD CONSTRAINT big_pos CHECK (price > 0) NOT VALID;
ALTER TABLE big VALIDATE CONSTRAINT big_pos;
