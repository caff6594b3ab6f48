-- revision: flag3
-- down_revision: p0001

-- +upgrade
REINDEX INDEX CONCURRENTLY big_name_idx;
