-- revision: abcd
-- down_revision: none
-- +upgrade
SELECT 'it''s', E'\'; \\', U&'\', "a""b;", $$x;$$, $t$ $$ ; $t$, $1;
/* a /* nested ; */ comment */ SELECT 1 -- c ;
;
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO l VALUES (1); SELECT 2);
\set x
COPY t FROM STDIN;
-- +downgrade
BEGIN; COMMIT; SELECT pg_advisory_unlock_all();
