-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
ALTER TABLE f ALTER COLUMN a SET NOT NULL;
