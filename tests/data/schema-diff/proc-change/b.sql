CREATE TABLE log (m text); CREATE PROCEDURE note(x text) LANGUAGE sql AS $$ INSERT INTO log VALUES (upper(x)) $$;
