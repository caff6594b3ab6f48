-- revision: ok1
-- down_revision: p0001

-- +upgrade
ANALYZE big;
