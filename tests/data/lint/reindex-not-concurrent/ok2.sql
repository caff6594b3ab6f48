-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
CREATE INDEX f_a ON f (a);
REINDEX TABLE f;
