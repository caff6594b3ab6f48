-- revision: flag11
-- down_revision: p0001

-- +upgrade
-- an expression key (at::date): lint cannot prove it
ALTER TABLE meters_by_day ATTACH PARTITION mbd
    FOR VALUES FROM ('2026-01-01') TO ('2026-01-02');
