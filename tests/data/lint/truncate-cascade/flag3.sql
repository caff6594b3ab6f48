-- revision: flag3
-- down_revision: p0001

-- +upgrade
TRUNCATE ONLY big RESTART IDENTITY CASCADE;
