-- revision: flag2
-- down_revision: p0001

-- +upgrade
LOCK TABLE big IN EXCLUSIVE MODE;
