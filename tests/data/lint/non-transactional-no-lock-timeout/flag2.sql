-- revision: flag2
-- down_revision: p0001
-- transactional: false

-- +upgrade
VACUUM big;
