-- revision: abcd
-- down_revision: none
-- transactional: false
-- lock_timeout: 5s
-- statement_timeout: 1min
-- branch_labels: x
-- depends_on: y
-- +upgrade
SELECT 1