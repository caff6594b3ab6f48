-- revision: ok1
-- down_revision: p0001

-- +upgrade
REFRESH MATERIALIZED VIEW CONCURRENTLY big_stats;
