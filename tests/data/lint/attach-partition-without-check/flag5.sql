-- revision: flag5
-- down_revision: p0001

-- +upgrade
-- the CHECK is for 2025, the bound for 2030
ALTER TABLE events ATTACH PARTITION events_2025
    FOR VALUES FROM ('2030-01-01') TO ('2031-01-01');
