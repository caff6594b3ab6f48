-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE parts (id int, k int) PARTITION BY LIST (k);
CREATE INDEX parts_k_idx ON parts (k);
