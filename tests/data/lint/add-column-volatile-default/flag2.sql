-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN seq bigserial;
