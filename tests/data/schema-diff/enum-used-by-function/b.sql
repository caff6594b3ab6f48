CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE FUNCTION is_sad(m mood) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT m = 'sad' $$;
