-- revision: flag2
-- down_revision: p0001

-- +upgrade
DROP TABLE IF EXISTS small CASCADE;
