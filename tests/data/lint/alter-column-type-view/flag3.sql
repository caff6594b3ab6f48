-- revision: flag3
-- down_revision: p0001

-- +upgrade
-- small_all is SELECT * FROM small.
ALTER TABLE small ALTER COLUMN label TYPE varchar(200);
