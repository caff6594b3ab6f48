-- revision: ok2
-- down_revision: p0001

-- +upgrade
TRUNCATE big RESTRICT;
