-- revision: flag4
-- down_revision: p0001

-- +upgrade
-- lint-test pg-version 100000
ALTER TABLE big ADD COLUMN flag boolean DEFAULT false;
