-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big DROP COLUMN created, DROP COLUMN net;
