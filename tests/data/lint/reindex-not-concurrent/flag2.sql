-- revision: flag2
-- down_revision: p0001

-- +upgrade
REINDEX TABLE big;
