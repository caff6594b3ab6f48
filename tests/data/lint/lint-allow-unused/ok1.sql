-- revision: ok1
-- down_revision: p0001
-- lint_allow: drop-table loose was never used

-- +upgrade
DROP TABLE loose;
