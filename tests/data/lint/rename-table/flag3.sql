-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE public.small RENAME TO tiny;
