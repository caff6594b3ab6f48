-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int, EXCLUDE (a WITH =));
