-- revision: ok9
-- down_revision: p0001
-- transactional: false
-- lock_timeout: 5s

-- +upgrade
-- the CHECK added NOT VALID and validated earlier in the revision
ALTER TABLE loose ADD CONSTRAINT loose_2028
    CHECK (at >= '2028-01-01' AND at < '2029-01-01') NOT VALID;
ALTER TABLE loose VALIDATE CONSTRAINT loose_2028;
ALTER TABLE events ATTACH PARTITION loose
    FOR VALUES FROM ('2028-01-01') TO ('2029-01-01');
