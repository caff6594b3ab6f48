-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ADD CONSTRAINT small_label_key UNIQUE (label);
