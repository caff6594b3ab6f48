-- revision: ok2
-- down_revision: p0001

-- +upgrade
CREATE RULE r AS ON INSERT TO small DO ALSO (SELECT 1; SELECT 2);
