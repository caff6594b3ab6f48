-- revision: flag4
-- down_revision: p0001

-- +upgrade
ALTER TABLE big SET ACCESS METHOD heap2;
