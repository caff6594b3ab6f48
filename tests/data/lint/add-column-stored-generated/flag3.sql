-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE small ADD l2 int GENERATED ALWAYS AS (length(label)) STORED;
