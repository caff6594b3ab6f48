
-- revision: dupe
-- down_revision: 0001
-- +upgrade
