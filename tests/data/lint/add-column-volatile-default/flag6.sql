-- revision: flag6
-- down_revision: p0001

-- +upgrade
-- Not a built-in: lint cannot tell offline.
ALTER TABLE big ADD COLUMN y int DEFAULT my_func();
