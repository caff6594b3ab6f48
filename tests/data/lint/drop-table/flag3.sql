-- revision: flag3
-- down_revision: p0001

-- +upgrade
DROP TABLE public.nopk, loose;
