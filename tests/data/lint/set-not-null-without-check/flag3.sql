-- revision: flag3
-- down_revision: p0001

-- +upgrade
-- lint-test pg-version 110000
-- The CHECK exists, but before 12 SET NOT NULL scans anyway.
ALTER TABLE big ALTER COLUMN note SET NOT NULL;
