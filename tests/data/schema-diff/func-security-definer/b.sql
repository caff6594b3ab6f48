CREATE FUNCTION add1(x int) RETURNS int LANGUAGE sql IMMUTABLE SECURITY DEFINER SET search_path = pg_catalog AS $$ SELECT x + 1 $$;
