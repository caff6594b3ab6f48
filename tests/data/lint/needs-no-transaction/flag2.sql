-- revision: flag2
-- down_revision: p0001

-- +upgrade
ALTER SYSTEM SET work_mem = '64MB';
