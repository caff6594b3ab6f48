-- revision: flag2
-- down_revision: p0001

-- +upgrade
CREATE UNIQUE INDEX small_big_id_key ON small (big_id);
