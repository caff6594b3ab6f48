-- revision: ok1
-- down_revision: p0001

-- +upgrade
UPDATE big SET note = '' WHERE note IS NULL;
