-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ADD CONSTRAINT small_ex EXCLUDE (label WITH =);
