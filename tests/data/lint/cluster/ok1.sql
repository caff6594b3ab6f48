-- revision: ok1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big CLUSTER ON big_name_idx;
