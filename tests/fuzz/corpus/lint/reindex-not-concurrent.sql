-- revision: flag1
-- down_revision: p0001

-- +upgrade
REINDEX INDEX big_name_idx;
