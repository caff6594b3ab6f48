-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE public.nopk ADD EXCLUDE (a WITH =) WHERE (b > 0);
