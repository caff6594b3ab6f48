-- revision: ok1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN seen timestamptz DEFAULT now();
