CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  -- a comment; with a semicolon
  /* and a block; */
  RETURN 1;
END;
$$;
DO $fn$ BEGIN PERFORM 'x$$y'; RAISE NOTICE $$inner;$$; END $fn$;
PREPARE q (int) AS SELECT $1, $2::text;
SELECT a$b$c, $_x$ ; $_x$, $a1$;$a1$ FROM t;
SELECT $1$;
SELECT $tag$ $TAG$ ; $tagx$ ; $tag$;
SELECT $$$$, $x$$x$;
