-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE TABLE e26 (id bigint, at timestamptz NOT NULL);
ALTER TABLE events ATTACH PARTITION e26
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
