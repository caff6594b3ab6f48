-- revision: g2
-- down_revision: g1
-- +upgrade
SELECT 2;
