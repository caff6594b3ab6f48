-- revision: flag1
-- down_revision: p0001

-- +upgrade
ALTER TABLE events ATTACH PARTITION loose
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
