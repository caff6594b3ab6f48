-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TABLE public.big ADD COLUMN lname text GENERATED ALWAYS AS (lower(name)) STORED;
