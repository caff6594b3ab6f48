-- revision: flag5
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN r double precision DEFAULT random() * 10;
