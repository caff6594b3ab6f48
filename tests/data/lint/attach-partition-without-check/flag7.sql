-- revision: flag7
-- down_revision: p0001

-- +upgrade
-- the CHECK bounds at, but at may be NULL (a range partition's
-- constraint has at IS NOT NULL)
ALTER TABLE logs ATTACH PARTITION events_null
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
