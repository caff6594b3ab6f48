CREATE TYPE pair AS (a integer, b text); COMMENT ON TYPE pair IS 'two';
