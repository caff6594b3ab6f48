-- revision: flag4
-- down_revision: p0001

-- +upgrade
-- 22 characters, 66 bytes.
CREATE TABLE f (ééééééééééééééééééééééxxxxxxxxxxxxxxxxxxxxxx int);
