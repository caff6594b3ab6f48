-- revision: flag3
-- down_revision: p0001

-- +upgrade
DROP INDEX public.index_made_elsewhere;
