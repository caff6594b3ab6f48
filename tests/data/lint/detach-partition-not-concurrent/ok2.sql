-- revision: ok2
-- down_revision: p0001

-- +upgrade
-- lint-test pg-version 130000
-- No CONCURRENTLY before 14: nothing better to suggest.
ALTER TABLE events DETACH PARTITION events_2024;
