-- revision: flag3
-- down_revision: p0001

-- +upgrade
LOCK small IN SHARE ROW EXCLUSIVE MODE;
