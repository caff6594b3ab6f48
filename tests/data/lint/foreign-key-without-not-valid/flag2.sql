-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD FOREIGN KEY (parent_id) REFERENCES big (id) ON DELETE CASCADE;
