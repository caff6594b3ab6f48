-- revision: flag2
-- down_revision: p0001

-- +upgrade
DELETE FROM small WHERE label IS NULL;
CREATE INDEX small_label_lower ON small (lower(label));
