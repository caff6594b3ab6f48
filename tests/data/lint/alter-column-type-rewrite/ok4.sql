-- revision: ok4
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN net TYPE inet;
