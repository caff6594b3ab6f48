-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE public.events DETACH PARTITION events_2024;
