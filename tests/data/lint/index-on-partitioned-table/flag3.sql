-- revision: flag3
-- down_revision: p0001

-- +upgrade
CREATE UNIQUE INDEX events_id_at_key ON public.events (id, at);
