-- revision: flag3
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
CREATE INDEX idx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ON f (a);
