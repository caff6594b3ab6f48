-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (a int);
INSERT INTO f VALUES (1);
UPDATE f SET a = 2;
