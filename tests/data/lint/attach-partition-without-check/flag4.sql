-- revision: flag4
-- down_revision: p0001

-- +upgrade
-- CHECK (at IS NOT NULL) mentions the key but bounds nothing
ALTER TABLE logs ATTACH PARTITION loose_nn
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
