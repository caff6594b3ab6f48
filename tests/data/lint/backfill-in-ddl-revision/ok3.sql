-- revision: ok3
-- down_revision: p0001

-- +upgrade
DELETE FROM small WHERE id = 1;
SELECT 1;
