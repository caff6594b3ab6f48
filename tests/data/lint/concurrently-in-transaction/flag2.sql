-- revision: flag2
-- down_revision: p0001

-- +upgrade
DROP INDEX CONCURRENTLY big_name_idx;
