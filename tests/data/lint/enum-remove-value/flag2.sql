-- revision: flag2
-- down_revision: p0001

-- +upgrade
DROP TYPE mood CASCADE;
