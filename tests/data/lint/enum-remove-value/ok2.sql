-- revision: ok2
-- down_revision: p0001

-- +upgrade
DROP TYPE some_composite;
