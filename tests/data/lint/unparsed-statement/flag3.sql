-- revision: flag3
-- down_revision: p0001

-- +upgrade
-- PostgreSQL 16 syntax.
SELECT JSON_OBJECT('a': 1);
