-- revision: flag2
-- down_revision: p0001

-- +upgrade
DROP SCHEMA IF EXISTS archive CASCADE;
