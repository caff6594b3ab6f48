-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
ALTER TABLE f ADD COLUMN b int GENERATED ALWAYS AS (a * 2) STORED;
