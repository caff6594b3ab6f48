-- revision: ok4
-- down_revision: p0001

-- +upgrade
-- a CHECK narrower than the bound (Q1 of 2026 in 2026)
ALTER TABLE logs ATTACH PARTITION events_q1
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
