-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN token uuid DEFAULT gen_random_uuid();
