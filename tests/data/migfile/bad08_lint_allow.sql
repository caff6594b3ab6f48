-- revision: bad08
-- down_revision: none
-- lint_allow: drop-table
-- lint_allow: Drop_Table reason
-- lint_allow: drop-column the column is unused since 4.2
-- lint_allow: drop-column again
-- lint_allow:
-- +upgrade
SELECT 1;
