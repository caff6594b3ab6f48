-- revision: ok3
-- down_revision: p0001
-- lint_allow: drop-column net was last read by release 4.2 (2025-09)

-- +upgrade
ALTER TABLE big DROP COLUMN net;
