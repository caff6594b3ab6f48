-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ADD COLUMN k int CONSTRAINT small_k_nn NOT NULL;
