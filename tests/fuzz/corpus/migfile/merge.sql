-- A merge revision.  Plain comments and blank lines may sit between
-- the header lines; so may prose such as "see https://example.org/x".
-- Note: capitalised words before a colon are prose too.
-- see https://example.org/issue/1

-- revision:   merge01
-- down_revision: a1b2 ,b2c3,  c3d4
--	message:	merge: two branches	
-- depends_on: a1b2c3, feature-x
-- branch_labels: release_1, hot-fix
-- transactional: FALSE
-- lock_timeout: 10s
-- statement_timeout: 1 min
-- create_date:

-- +upgrade
CREATE INDEX CONCURRENTLY t_a_idx ON t (a);
-- +downgrade
DROP INDEX CONCURRENTLY t_a_idx;
