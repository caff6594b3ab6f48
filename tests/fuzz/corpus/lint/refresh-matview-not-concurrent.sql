-- revision: flag1
-- down_revision: p0001

-- +upgrade
REFRESH MATERIALIZED VIEW big_stats;
