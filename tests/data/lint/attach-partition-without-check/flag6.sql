-- revision: flag6
-- down_revision: p0001

-- +upgrade
-- a CHECK wider than the bound: 2025-2026 rows may be in it
ALTER TABLE events ATTACH PARTITION events_wide
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
