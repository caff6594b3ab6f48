-- revision: flag1
-- down_revision: p0001
-- lint_allow: no-such-rule because

-- +upgrade
CREATE TABLE f (a int);
