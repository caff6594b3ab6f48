-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE MATERIALIZED VIEW m AS SELECT 1 AS a;
REFRESH MATERIALIZED VIEW m;
