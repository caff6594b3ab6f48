-- revision: ok1
-- down_revision: p0001
-- lock_timeout: 2s

-- +upgrade
CREATE TABLE f (a int);
