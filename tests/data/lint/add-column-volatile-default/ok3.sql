-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (id int);
ALTER TABLE f ADD COLUMN token uuid DEFAULT gen_random_uuid();
