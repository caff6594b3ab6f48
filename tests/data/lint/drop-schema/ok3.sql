-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER SCHEMA archive RENAME TO archive_old;
