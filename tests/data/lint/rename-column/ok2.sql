-- revision: ok2
-- down_revision: p0001

-- +upgrade
ALTER TABLE big RENAME CONSTRAINT big_note_nn TO big_note_not_null;
