-- revision: flag2
-- down_revision: p0001

-- +upgrade
CLUSTER small;
