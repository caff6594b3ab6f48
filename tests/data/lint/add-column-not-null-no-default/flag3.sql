-- revision: flag3
-- down_revision: p0001

-- +upgrade
ALTER TABLE public.big ADD code2 varchar(10) NOT NULL;
