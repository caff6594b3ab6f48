-- revision: ok1
-- down_revision: p0001

-- +upgrade
ALTER TABLE big VALIDATE CONSTRAINT big_note_nn;
