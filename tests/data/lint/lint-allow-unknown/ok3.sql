-- revision: ok3
-- down_revision: p0001

-- +upgrade
-- squawk-ignore prefer-text-field
CREATE TABLE f (a varchar(10));
