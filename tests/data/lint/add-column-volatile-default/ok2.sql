-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN flag boolean NOT NULL DEFAULT false;
