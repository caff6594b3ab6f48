-- revision: ok2
-- down_revision: p0001

-- +upgrade
DROP VIEW big_names;
