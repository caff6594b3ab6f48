-- revision: flag2
-- down_revision: p0001

-- +upgrade
DROP INDEX IF EXISTS big_name_idx;
