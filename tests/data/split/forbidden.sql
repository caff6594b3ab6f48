DISCARD ALL;
discard   all;
COPY t FROM STDIN;
COPY t(a,b) FROM stdin WITH (FORMAT csv);
copy public.t (a, b)
  from
  StdIn;
COPY t TO STDOUT;
COPY (SELECT 1) TO stdout WITH CSV;
COPY t FROM '/tmp/t.csv';
COPY (SELECT * FROM stdin) TO '/tmp/x';
SELECT * FROM stdin;
SELECT pg_advisory_unlock(1);
SELECT pg_catalog.pg_advisory_unlock_all();
SELECT x FROM t WHERE PG_ADVISORY_UNLOCK_SHARED(42);
SELECT "pg_advisory_unlock"(1);
SELECT "PG_ADVISORY_UNLOCK"(1);
SELECT 'pg_advisory_unlock(1)', $$pg_advisory_unlock_all()$$;
SELECT pg_advisory_unlock_foo(1), pg_advisory_lock(1); -- pg_advisory_unlock(1)
SELECT pg_advisory_unlock(1), pg_advisory_unlock_all();
