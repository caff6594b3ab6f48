CREATE TABLE t (id int, v text); CREATE FUNCTION rows_of() RETURNS TABLE (id int, v text) LANGUAGE sql STABLE AS $$ SELECT id, v FROM t $$;
