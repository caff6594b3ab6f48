-- revision: ok1
-- down_revision: p0001

-- +upgrade
LOCK TABLE big IN SHARE MODE;
