-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER TYPE public.mood RENAME VALUE 'happy' TO 'glad';
