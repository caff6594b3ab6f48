-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN qty int CHECK (qty >= 0);
