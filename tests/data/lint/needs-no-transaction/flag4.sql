-- revision: flag4
-- down_revision: p0001

-- +upgrade
CREATE DATABASE other;
