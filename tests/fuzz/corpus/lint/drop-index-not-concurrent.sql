-- revision: flag1
-- down_revision: p0001

-- +upgrade
DROP INDEX big_name_idx;
