-- revision: ok2
-- down_revision: p0001
-- transactional: true

-- +upgrade
CREATE TABLE f (a int);
