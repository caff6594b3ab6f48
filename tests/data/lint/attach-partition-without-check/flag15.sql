-- revision: flag15
-- down_revision: p0001

-- +upgrade
-- a two-column key: lint does not prove row-wise bounds
ALTER TABLE grid ATTACH PARTITION grid_0 FOR VALUES FROM (0, 0) TO (10, 0);
