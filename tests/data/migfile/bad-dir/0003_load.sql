-- revision: 0003
-- down_revision: 0001
-- +upgrade
BEGIN;
COPY t (a) FROM STDIN;
1
\.
COMMIT;
