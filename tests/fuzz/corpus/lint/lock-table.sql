-- revision: flag1
-- down_revision: p0001

-- +upgrade
LOCK TABLE big;
