-- revision: flag1
-- down_revision: p0001
-- lint_allow: drop-table nothing is dropped here

-- +upgrade
CREATE TABLE f (a int);
