-- revision: flag2
-- down_revision: p0001

-- +upgrade
REFRESH MATERIALIZED VIEW public.big_stats;
