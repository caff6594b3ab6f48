-- revision: flag2
-- down_revision: p0001
-- lint_allow: index-not-concurrent f is new, so this never fires

-- +upgrade
CREATE TABLE f (a int);
CREATE INDEX ON f (a);
