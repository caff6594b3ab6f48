-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE IF EXISTS public.big RENAME COLUMN price TO cost;
