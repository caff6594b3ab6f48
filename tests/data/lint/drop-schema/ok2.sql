-- revision: ok2
-- down_revision: p0001
-- lint_allow: drop-schema archive held a copy made for the 2024 export only

-- +upgrade
DROP SCHEMA archive;
