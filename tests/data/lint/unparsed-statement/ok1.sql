-- revision: ok1
-- down_revision: p0001

-- +upgrade
SELECT 1;
