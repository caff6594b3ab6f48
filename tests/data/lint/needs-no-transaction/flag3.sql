-- revision: flag3
-- down_revision: p0001

-- +upgrade
-- lint-test pg-version 110000
ALTER TYPE mood ADD VALUE 'meh';
