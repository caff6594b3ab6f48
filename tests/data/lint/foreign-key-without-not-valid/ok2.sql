-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE f (id int, big_id bigint REFERENCES big (id));
