-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE small RENAME label TO caption;
