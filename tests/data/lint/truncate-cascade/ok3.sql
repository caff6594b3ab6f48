-- revision: ok3
-- down_revision: p0001

-- +upgrade
TRUNCATE small, big;
