-- revision: flag3
-- down_revision: p0001
-- lint_allow: drop-table loose was never used
-- lint_allow: drop-column no column is dropped

-- +upgrade
DROP TABLE loose;
