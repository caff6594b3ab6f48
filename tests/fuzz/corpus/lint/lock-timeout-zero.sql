-- revision: flag1
-- down_revision: p0001
-- lock_timeout: 0

-- +upgrade
CREATE TABLE f (a int);
