-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER TYPE mood RENAME TO feeling;
