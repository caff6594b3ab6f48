-- revision: flag12
-- down_revision: p0001

-- +upgrade
-- a hash bound: no CHECK proves it
ALTER TABLE meters_h ATTACH PARTITION meters_h0
    FOR VALUES WITH (MODULUS 2, REMAINDER 0);
