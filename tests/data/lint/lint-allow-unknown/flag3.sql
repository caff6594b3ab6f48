-- revision: flag3
-- down_revision: p0001
-- lint_allow: drop-table loose was never used
-- lint_allow: drop-tables typo

-- +upgrade
DROP TABLE loose;
