-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ADD COLUMN "a quoted identifier that is longer than sixty-three bytes, in all" int;
