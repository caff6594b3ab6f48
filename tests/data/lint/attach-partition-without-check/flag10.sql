-- revision: flag10
-- down_revision: p0001

-- +upgrade
-- integers: the CHECK starts at 0, the bound at 100
ALTER TABLE meters ATTACH PARTITION meters_1 FOR VALUES FROM (100) TO (1000);
