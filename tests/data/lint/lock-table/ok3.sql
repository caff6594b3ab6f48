-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
LOCK TABLE f;
