-- revision: flag3
-- down_revision: p0001

-- +upgrade
-- An index on an expression, schema-qualified table.
CREATE INDEX ON public.big (lower(name)) WHERE note IS NULL;
