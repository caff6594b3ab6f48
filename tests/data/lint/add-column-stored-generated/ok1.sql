-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int, b int GENERATED ALWAYS AS (a * 2) STORED);
