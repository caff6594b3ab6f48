-- revision: flag3
-- down_revision: p0001

-- +upgrade
DROP SCHEMA a, b;
