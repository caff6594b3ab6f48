-- revision: flag5
-- down_revision: p0001

-- +upgrade
-- A table lint has not seen: it cannot tell.
ALTER TABLE made_elsewhere ALTER COLUMN x TYPE text;
