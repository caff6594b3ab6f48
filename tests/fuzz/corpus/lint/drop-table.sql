-- revision: flag1
-- down_revision: p0001

-- +upgrade
DROP TABLE big;
