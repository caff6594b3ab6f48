-- revision: ok1
-- down_revision: p0001

-- +upgrade
CREATE FUNCTION one() RETURNS int LANGUAGE sql
BEGIN ATOMIC
    SELECT 1;
END;
SELECT one();
