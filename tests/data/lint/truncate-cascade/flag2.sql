-- revision: flag2
-- down_revision: p0001

-- +upgrade
TRUNCATE TABLE small, big CASCADE;
