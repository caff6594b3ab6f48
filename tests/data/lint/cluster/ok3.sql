-- revision: ok3
-- down_revision: p0001

-- +upgrade
ALTER TABLE big SET WITHOUT CLUSTER;
