-- revision: ok3
-- down_revision: p0001

-- +upgrade
CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN 'a;b';
END;
$$;
