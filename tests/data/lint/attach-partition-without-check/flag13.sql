-- revision: flag13
-- down_revision: p0001

-- +upgrade
-- the upper bound: CHECK at <= the bound's end lets that instant in
ALTER TABLE logs ATTACH PARTITION events_q1
    FOR VALUES FROM ('2026-01-01') TO ('2026-03-31 23:59:59');
