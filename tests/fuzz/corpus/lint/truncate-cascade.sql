-- revision: flag1
-- down_revision: p0001

-- +upgrade
TRUNCATE big CASCADE;
