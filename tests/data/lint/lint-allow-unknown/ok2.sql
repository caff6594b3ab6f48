-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
