-- revision: ok7
-- down_revision: p0001

-- +upgrade
-- integers: the CHECK's 0..1000 within -10..10000
ALTER TABLE meters ATTACH PARTITION meters_1
    FOR VALUES FROM (-10) TO (10000);
