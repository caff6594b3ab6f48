-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int, b int);
ALTER TABLE f DROP COLUMN b;
