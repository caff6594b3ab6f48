-- revision: ok8
-- down_revision: p0001

-- +upgrade
-- MINVALUE: only the upper bound; the CHECK is written backwards, with a
-- time of day
ALTER TABLE events ATTACH PARTITION events_old
    FOR VALUES FROM (MINVALUE) TO ('2020-01-01');
