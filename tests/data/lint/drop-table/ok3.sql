-- revision: ok3
-- down_revision: p0001

-- +upgrade
-- squawk-ignore ban-drop-table
DROP TABLE loose;
