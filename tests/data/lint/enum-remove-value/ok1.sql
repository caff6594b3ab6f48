-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE TYPE m2 AS ENUM ('a');
DROP TYPE m2;
