-- revision: flag6
-- down_revision: p0001

-- +upgrade
ALTER TABLE big ALTER COLUMN title TYPE varchar(80) USING btrim(title);
