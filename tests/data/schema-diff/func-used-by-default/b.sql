CREATE FUNCTION dflt() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'y' $$; CREATE TABLE t (id int, v text DEFAULT dflt());
