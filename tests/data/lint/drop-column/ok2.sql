-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big DROP CONSTRAINT big_note_nn;
