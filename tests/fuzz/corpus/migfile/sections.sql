-- revision: bad05
-- down_revision: none
-- +upgrade
CREATE TABLE t (a int);
COMMIT;
-- +downgrade
\i drop.sql
DROP TABLE t;
-- +upgrade
SELECT pg_advisory_unlock_all();
-- +downgrade
SELECT 'unterminated;
