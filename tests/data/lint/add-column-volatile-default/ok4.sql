-- revision: ok4
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN x int DEFAULT NULL;
