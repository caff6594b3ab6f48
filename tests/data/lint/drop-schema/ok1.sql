-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE SCHEMA tmp;
DROP SCHEMA tmp;
