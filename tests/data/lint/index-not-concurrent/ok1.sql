-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE TABLE fresh (id bigint, v text);
CREATE INDEX fresh_v_idx ON fresh (v);
