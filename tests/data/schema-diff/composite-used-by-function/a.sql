CREATE TYPE pair AS (a integer, b text); CREATE FUNCTION mk(x int) RETURNS pair LANGUAGE sql AS $$ SELECT x, 'a'::text $$;
