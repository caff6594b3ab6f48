-- revision: flag1
-- down_revision: p0001

-- +upgrade
CLUSTER big USING big_name_idx;
