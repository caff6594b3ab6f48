CREATE FUNCTION hello(n text) RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'hi ' || n; END $$;
