-- revision: bad01
-- down_revision: a1b2, c3, a1b2, , none, HEAD
-- author: someone
-- message: first
-- message: second
-- transactional: maybe
-- lock_timeout: 5 seconds
-- statement_timeout: -1s
-- branch_labels: ok, not ok, head, ok
-- depends_on: x@y
CREATE TABLE too_early (a int);
SELECT 'only the first stray line is reported';
-- +upgrade
SELECT 1;
