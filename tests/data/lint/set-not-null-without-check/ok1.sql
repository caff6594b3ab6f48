-- revision: ok1
-- down_revision: p0001

-- +upgrade
-- big_note_nn (CHECK (note IS NOT NULL)) is validated: no scan.
ALTER TABLE big ALTER COLUMN note SET NOT NULL;
