-- revision: ok3
-- down_revision: p0001
-- lint_allow: unparsed-statement PostgreSQL 16 syntax, checked by hand

-- +upgrade
SELECT JSON_OBJECT('a': 1);
