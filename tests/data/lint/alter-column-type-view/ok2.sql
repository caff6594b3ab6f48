-- revision: ok2
-- down_revision: p0001

-- +upgrade
DROP VIEW big_names;
ALTER TABLE big ALTER COLUMN name TYPE varchar(100);
CREATE VIEW big_names AS SELECT id, name FROM big;
