-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE TABLE copy AS SELECT id, name FROM big;
CREATE INDEX copy_name_idx ON copy (name);
