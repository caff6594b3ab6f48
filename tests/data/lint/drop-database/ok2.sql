-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER DATABASE other RENAME TO other2;
