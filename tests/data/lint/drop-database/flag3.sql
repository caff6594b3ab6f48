-- revision: flag3
-- down_revision: p0001

-- +upgrade
DROP DATABASE other WITH (FORCE);
