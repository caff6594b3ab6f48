-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE "短い名前" (a int);
